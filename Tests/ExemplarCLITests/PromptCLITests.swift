import ExemplarEncoder
import ExemplarIO
import ExemplarTestSupport
import Foundation
import Testing

/// --prompt-name, --prompt, --dimensions and --query-prompt-name through the built binary,
/// with the tiny prompts model (query/passage prompts, default "query", truncate_dim 16).
@Suite struct PromptCLITests {
    let cli = CLIRunner()
    let model = Fixtures.url("st/prompts").path

    @Test("embed takes a prompt and a dimension and matches sentence-transformers")
    func embed() throws {
        let data = try Data(contentsOf: Fixtures.url("st/prompts/reference.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let texts = Array(try #require(root["texts"] as? [String]).filter { !$0.isEmpty && !$0.contains("\n") }.prefix(6))
        let input = Data(texts.joined(separator: "\n").appending("\n").utf8)
        let r = try cli.run(["embed", "--model", model, "--prompt", "Represent this sentence: ", "--dimensions", "8",
                             "--output-format", "jsonl", "--threads", "1"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.out.split(separator: "\n").map { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["embedding"] as? [Double] ?? []
        }
        #expect(rows.count == texts.count && rows.allSatisfy { $0.count == 8 })
        let all = try #require(root["texts"] as? [String])
        let npy = try [UInt8](Data(contentsOf: Fixtures.url("st/prompts/reference-text-dim8.npy")))
        let (shape, expected) = try #require(NPY.decode(npy))
        for (row, text) in zip(rows, texts) {
            let i = try #require(all.firstIndex(of: text))
            let theirs = expected[(i * shape[1])..<((i + 1) * shape[1])]
            var dot: Double = 0, a: Double = 0, b: Double = 0
            for (x, y) in zip(row, theirs) { dot += x * Double(y); a += x * x; b += Double(y) * Double(y) }
            #expect(dot / (a * b).squareRoot() >= 0.99999)
        }
        // The model's defaults: the "query" prompt, truncate_dim 16.
        let plain = try cli.run(["embed", "--model", model, "--output-format", "jsonl"], stdin: Data("hello\n".utf8))
        #expect(plain.status == 0 && plain.out.split(separator: ",").count == 16)
    }

    @Test("a bad prompt name or dimension is exit 2 naming the option")
    func badOptions() throws {
        let unknown = try cli.run(["embed", "--model", model, "--prompt-name", "question"], stdin: Data("x\n".utf8))
        #expect(unknown.status == 2 && unknown.stderr.contains("--prompt-name \"question\"") && unknown.stderr.contains("\"passage\""))
        let wide = try cli.run(["embed", "--model", model, "--dimensions", "33"], stdin: Data("x\n".utf8))
        #expect(wide.status == 2 && wide.stderr.contains("--dimensions 33") && wide.stderr.contains("1...32"))
        let both = try cli.run(["embed", "--model", model, "--prompt-name", "query", "--prompt", "q: "], stdin: Data("x\n".utf8))
        #expect(both.status == 2 && both.stderr.contains("not both"))
    }

    @Test("build records the prompts and dimension; query checks them; a rebuild with others needs --replace-model")
    func index() throws {
        let root = try TemporaryFolder.create("prompt-cli")
        defer { TemporaryFolder.remove(root) }
        let index = root.appendingPathComponent("e5").path
        let data = Fixtures.url("data/k-shot/SST-2/16-42").path
        let build = try cli.run(["build", "--data", data, "--task", "SST-2", "--out", index, "--model", model,
                                 "--prompt-name", "passage", "--query-prompt-name", "query", "--dimensions", "8", "--threads", "1"])
        #expect(build.status == 0, "\(build.stderr)")
        let info = try cli.run(["info", index, "--json"])
        #expect(info.out.contains("\"prompt_name\": \"passage\"") && info.out.contains("\"dimension\": 8") && info.out.contains("\"truncated_from\": 32"), "\(info.out)")
        let definition = try String(contentsOfFile: index + "/index.json", encoding: .utf8)
        #expect(definition.contains("\"query_prompt_name\": \"query\"") && definition.contains("\"dimensions\": 8"))

        let query = try cli.run(["query", index, "a gripping thriller", "--k", "2", "--json", "--model", model])
        #expect(query.status == 0, "\(query.stderr)")
        let same = try cli.run(["query", index, "a gripping thriller", "--prompt-name", "query", "--json", "--model", model])
        #expect(same.status == 0, "\(same.stderr)")
        let other = try cli.run(["query", index, "a gripping thriller", "--prompt-name", "passage", "--model", model])
        #expect(other.status == 2 && other.stderr.contains("\"query: \"") && other.stderr.contains("\"passage: \"")
                && other.stderr.contains("--query-prompt-name passage"), "\(other.stderr)")
        let asked = try cli.run(["query", index, "a gripping thriller", "--query-prompt-name", "passage", "--json", "--model", model])
        #expect(asked.status == 0, "\(asked.stderr)")
        #expect(asked.out != query.out)
        let demos = try cli.run(["demos", index, "--queries", "dev", "--policy", "nearest", "--k", "1", "--limit", "2", "--model", model])
        #expect(demos.status == 0, "\(demos.stderr)")

        let again = try cli.run(["build", index, "--model", model, "--dimensions", "16", "--threads", "1"])
        #expect(again.status == 2 && again.stderr.contains("dimension 8") && again.stderr.contains("dimension 16")
                && again.stderr.contains("--replace-model"), "\(again.stderr)")
        let replaced = try cli.run(["build", index, "--model", model, "--dimensions", "16", "--replace-model", "--threads", "1"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
    }
}
