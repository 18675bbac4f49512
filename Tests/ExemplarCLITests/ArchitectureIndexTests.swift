import ExemplarDemos
import ExemplarIO
import ExemplarJSON
import ExemplarTestSupport
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An index through the CLI and the server with each non-BERT encoder (tiny RoBERTa: byte-level
/// BPE; tiny XLM-RoBERTa: Unigram with the Precompiled normalizer; tiny MPNet: WordPiece and
/// relative attention bias), from build to query, demos, export-lmbff and serve.
@Suite(.timeLimit(.minutes(2))) struct ArchitectureIndexTests {
    let cli = CLIRunner()
    static let folders = ["tiny-roberta", "tiny-xlm-roberta", "tiny-mpnet"]

    func json(_ data: Data) -> [String: Any]? { try? JSONSerialization.jsonObject(with: data) as? [String: Any] }

    @Test(arguments: folders) func buildQueryDemosExportServe(_ folder: String) async throws {
        let model = Fixtures.url(folder).path
        let name = String(folder.dropFirst("tiny-".count))
        let dir = try TemporaryFolder.create("arch-cli")
        defer { TemporaryFolder.remove(dir) }
        let data = dir.appendingPathComponent("16-42")
        try FileManager.default.copyItem(at: Fixtures.url("data/k-shot/SST-2/16-42"), to: data)
        let index = dir.appendingPathComponent("sst2").path
        let built = try cli.run(["build", "--data", data.path, "--task", "SST-2", "--out", index, "--model", model])
        #expect(built.status == 0, "\(folder): \(built.stderr)")

        let info = try cli.run(["info", index, "--json"])
        let manifestModel = (json(info.stdout)?["manifest"] as? [String: Any])?["model"] as? [String: Any]
        #expect((manifestModel?["dimension"] as? Int) == 48, "\(folder): \(info.out)")
        #expect(info.out.contains(name), "\(folder): the manifest names the architecture: \(info.out)")

        // A training sentence finds itself first.
        let first = String(try String(contentsOf: data.appendingPathComponent("train.tsv"), encoding: .utf8)
            .split(separator: "\n")[1].split(separator: "\t")[0])
        let query = try cli.run(["query", index, first, "--k", "1", "--json", "--model", model])
        #expect(query.status == 0, "\(folder): \(query.stderr)")
        let hit = ((json(query.stdout)?["results"] as? [[String: Any]])?.first?["hits"] as? [[String: Any]])?.first
        #expect(hit?["text"] as? String == first && (hit?["score"] as? Double ?? 0) > 0.9999, "\(folder): \(query.out)")

        let demos = try cli.run(["demos", index, "--queries", "test", "--num-sample", "2", "--template", "lmbff"])
        #expect(demos.status == 0 && !demos.out.isEmpty, "\(folder): \(demos.stderr)")

        // export-lmbff's vectors are the index's: selection from the files equals selection from the index.
        let export = try cli.run(["export-lmbff", "--data", data.path, "--task", "SST-2", "--name", name, "--model", model,
                                  "--cache", dir.appendingPathComponent("cache").path])
        #expect(export.status == 0, "\(folder): \(export.stderr)")
        let fromFiles = try cli.run(["demos", "--data", data.path, "--task", "SST-2", "--embeddings", "sbert-" + name,
                                     "--queries", "test", "--num-sample", "2", "--template", "lmbff"])
        #expect(fromFiles.status == 0 && fromFiles.out == demos.out, "\(folder): \(fromFiles.stderr)")

        // The index refuses another architecture's model.
        let other = try cli.run(["query", index, "x", "--model", Fixtures.url("tiny-bert-max").path])
        #expect(other.status == 2 && other.stderr.contains("was built with model"), "\(folder): \(other.stderr)")

        try await serve(folder: folder, model: model, index: index, first: first, dir: dir)
    }

    /// `exemplar serve` with the model and the index: /v1/embeddings gives `exemplar embed`'s
    /// vectors (and sentence-transformers' reference vectors), and search finds a training sentence.
    func serve(folder: String, model: String, index: String, first: String, dir: URL) async throws {
        let references = try String(contentsOf: Fixtures.url(folder + "/reference.jsonl"), encoding: .utf8)
            .split(separator: "\n").prefix(6)
            .compactMap { try? JSONParser.parse(String($0))["text"]?.stringValue }  // JSONSerialization drops a leading U+FEFF
        try #require(references.count == 6)
        let (shape, expected) = try #require(NPY.decode([UInt8](Data(contentsOf: Fixtures.url(folder + "/reference.npy")))))
        let input = dir.appendingPathComponent("sentences.txt")
        try Data((references.joined(separator: "\n") + "\n").utf8).write(to: input)
        let embedded = try cli.run(["embed", "--model", model, "--input", input.path, "--output-format", "jsonl"])
        #expect(embedded.status == 0, "\(folder): \(embedded.stderr)")
        let cliVectors = embedded.out.split(separator: "\n").map { line -> [Double] in
            let object = json(Data(line.utf8))
            return (object?["embedding"] as? [Double]) ?? (object?["vector"] as? [Double]) ?? []
        }

        let process = Process()
        process.executableURL = try CLIRunner.binary
        process.arguments = ["serve", "--port", "0", "--model", model, "--index", index]
        let server = try ServeProcess(process)
        defer { server.stop() }
        try #require(server.serving, "\(folder): \(server.log)")

        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["input": references]), as: UTF8.self)
        let reply = try await server.request("POST", "/v1/embeddings", body)
        #expect(reply.status == 200, "\(folder): \(reply.body)")
        let served = ((json(Data(reply.body.utf8))?["data"] as? [[String: Any]]) ?? []).map { ($0["embedding"] as? [Double]) ?? [] }
        try #require(served.count == references.count && cliVectors.count == references.count, "\(folder): \(reply.body.prefix(300)) \(embedded.out.prefix(300))")
        for i in references.indices {
            #expect(served[i].count == 48)
            let diff = zip(served[i], cliVectors[i]).map { abs($0 - $1) }.max() ?? 1
            #expect(served[i].count == cliVectors[i].count && diff <= 1e-6, "\(folder) sentence \(i): server vs embed, max abs \(diff)")
            let theirs = expected[(i * shape[1])..<((i + 1) * shape[1])].map(Double.init)
            let dot = zip(served[i], theirs).map { $0 * $1 }.reduce(0, +)
            let norms = (served[i].map { $0 * $0 }.reduce(0, +) * theirs.map { $0 * $0 }.reduce(0, +)).squareRoot()
            #expect(dot / norms >= 0.99999, "\(folder) sentence \(i): served vs sentence-transformers, cosine \(dot / norms)")
        }

        let searchBody = String(decoding: try JSONSerialization.data(withJSONObject: ["text": first, "k": 1]), as: UTF8.self)
        let search = try await server.request("POST", "/v1/indexes/sst2/search", searchBody)
        #expect(search.status == 200, "\(folder): \(search.body)")
        #expect(search.body.contains(String(decoding: try JSONSerialization.data(withJSONObject: [first]), as: UTF8.self).dropFirst().dropLast()),
                "\(folder): search finds the sentence itself: \(search.body)")
    }

    /// `--max-context-tokens` counted with RoBERTa's byte-level BPE (the index model's tokenizer):
    /// every kept context fits the budget in that tokenizer's tokens, and some demonstrations go.
    @Test func maxContextTokensWithRobertaTokenizer() throws {
        let model = Fixtures.url("tiny-roberta")
        let dir = try TemporaryFolder.create("arch-ctx")
        defer { TemporaryFolder.remove(dir) }
        let index = dir.appendingPathComponent("sst2").path
        let built = try cli.run(["build", "--data", Fixtures.url("data/k-shot/SST-2/16-42").path, "--task", "SST-2",
                                 "--out", index, "--model", model.path])
        #expect(built.status == 0, "\(built.stderr)")
        let common = ["demos", index, "--queries", "dev", "--policy", "balanced", "--count", "3", "--context-order", "similar-last",
                      "--format", "hf-jsonl", "--template", "lmbff", "--model", model.path]
        func rows(_ r: CLIRunner.Result) -> [[String: Any]] { r.out.split(separator: "\n").compactMap { json(Data($0.utf8)) } }
        let full = rows(try cli.run(common))
        let budget = 100
        let cutRun = try cli.run(common + ["--max-context-tokens", String(budget)])
        #expect(cutRun.status == 0, "\(cutRun.stderr)")
        let cut = rows(cutRun)
        try #require(full.count == 4 && cut.count == 4)
        let tokenizer = try ModelTokenizer(folder: model)
        var fewer = 0
        for (a, b) in zip(cut, full) {
            let kept = (a["demonstrations"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
            let all = (b["demonstrations"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
            #expect(Array(all.suffix(kept.count)) == kept, "the least similar go first")
            if kept.count < all.count { fewer += 1 }
            let context = try #require(a["context"] as? String)
            #expect(tokenizer.tokenize(context).count <= budget, "\(tokenizer.tokenize(context).count) BPE tokens: \(context)")
            let fullContext = try #require(b["context"] as? String)
            if kept.count < all.count {
                #expect(tokenizer.tokenize(fullContext).count > budget, "a demonstration went though the whole fits: \(fullContext)")
            }
        }
        #expect(fewer == 2, "the two contexts over 100 BPE tokens (130 and 124; the others 97 and 81) are cut: \(fewer) of 4")
        let explicit = try cli.run(common + ["--max-context-tokens", String(budget), "--tokenizer", model.path])
        #expect(explicit.status == 0 && explicit.out == cutRun.out, "--tokenizer naming the same folder counts the same: \(explicit.stderr)")
    }
}
