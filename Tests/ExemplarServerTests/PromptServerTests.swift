import ExemplarEncoder
import ExemplarIndex
import ExemplarServer
import ExemplarStore
import ExemplarTestSupport
import Foundation
import Testing

/// `prompt_name`, `prompt` and `dimensions` on /v1/embeddings and /embed, and an index built with
/// E5-style prompts (passages with "passage: ", queries with "query: ") served by the same model.
@Suite struct PromptServerTests {
    static let model = Fixtures.url("st/prompts")

    /// A server of the prompts model with an index of SST-2 built with prompt passage, query prompt query, dimension 8.
    func withPromptServer(_ body: (TestServer, URL) async throws -> Void) async throws {
        let root = try TemporaryFolder.create("prompt-serve")
        defer { TemporaryFolder.remove(root) }
        let folder = root.appendingPathComponent("e5")
        let base = try SentenceEncoder(folder: Self.model)
        let source = try IndexSource.load(IndexDefinition(data: Fixtures.url("data/k-shot/SST-2/16-42").path, task: .sst2), base: root)
        var builder = IndexBuilder(encoder: base.with(try base.settings(for: EmbeddingOptions(promptName: "passage", dimensions: 8))))
        builder.threads = 1
        builder.queryPrompt = Manifest.QueryPrompt(name: "query", text: "query: ")
        _ = try builder.build(records: source.records, labels: source.labels, task: "SST-2", into: try IndexFolder.openStore(folder, create: true))
        try await withServer(configure: { c in
            c.modelFolder = Self.model
            c.indexFolders = [folder]
        }) { server in try await body(server, folder) }
    }

    func floats(_ any: Any?) -> [Float] { (any as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.floatValue } }

    @Test("dimensions and prompt_name on both routes give the library's vectors; bad values are 400 naming the field")
    func embeddingRoutes() async throws {
        let base = try SentenceEncoder(folder: Self.model)
        let expected = base.with(try base.settings(for: EmbeddingOptions(promptName: "passage", dimensions: 8))).encode(["a gripping thriller"], threads: 1)
        try await withPromptServer { server, _ in
            let openAI = try await server.post("/v1/embeddings", ["input": ["a gripping thriller"], "dimensions": 8, "prompt_name": "passage"])
            #expect(openAI.status == 200, "\(openAI.text)")
            let v = floats(((openAI.object["data"] as? [[String: Any]])?.first)?["embedding"])
            #expect(v.count == 8)
            #expect(zip(v, expected[0]).allSatisfy { abs($0 - $1) < 1e-5 })
            let tei = try await server.post("/embed", ["inputs": "a gripping thriller", "dimensions": 8, "prompt_name": "passage"])
            #expect(tei.status == 200, "\(tei.text)")
            let w = floats((tei.json as? [Any])?.first)
            #expect(w.count == 8 && zip(w, expected[0]).allSatisfy { abs($0 - $1) < 1e-5 })
            // Defaults: the model's "query" prompt at truncate_dim 16.
            let plain = try await server.post("/embed", ["inputs": "a gripping thriller"])
            #expect(floats((plain.json as? [Any])?.first).count == 16)
            for (route, body, field) in [("/v1/embeddings", ["input": "x", "dimensions": 33] as [String: Any], "dimensions"),
                                         ("/v1/embeddings", ["input": "x", "dimensions": 0], "dimensions"),
                                         ("/embed", ["inputs": "x", "prompt_name": "question"], "prompt_name"),
                                         ("/embed", ["inputs": "x", "dimensions": -4], "dimensions"),
                                         ("/v1/embeddings", ["input": "x", "prompt_name": "query", "prompt": "q: "], "prompt")] {
                let r = try await server.post(route, body)
                #expect(r.status == 400 && r.errorField == field, "\(route) \(body): \(r.status) \(r.text)")
            }
        }
    }

    @Test("search embeds text with the index's query prompt and dimension; additions with its document prompt")
    func indexSettings() async throws {
        let base = try SentenceEncoder(folder: Self.model)
        try await withPromptServer { server, folder in
            let r = try await server.post("/v1/indexes/e5/search", ["text": "a gripping thriller", "k": 1])
            #expect(r.status == 200, "\(r.text)")
            let query = base.with(try base.settings(for: EmbeddingOptions(promptName: "query", dimensions: 8))).encode(["a gripping thriller"], threads: 1)
            let byVector = try await server.post("/v1/indexes/e5/search", ["vector": Array(query[0]), "k": 1])
            #expect(byVector.status == 200)
            #expect(((r.object["results"] as? [[String: Any]])?.first?["hits"] as? [[String: Any]])?.first?["id"] as? Int
                    == ((byVector.object["results"] as? [[String: Any]])?.first?["hits"] as? [[String: Any]])?.first?["id"] as? Int)
            let added = try await server.post("/v1/indexes/e5/examples", ["text": "an instant classic", "label": "1"])
            #expect(added.status == 201, "\(added.text)")
            let demos = try await server.post("/v1/indexes/e5/demonstrations", ["text": "a gripping thriller", "policy": "nearest"])
            #expect(demos.status == 200, "\(demos.text)")
            _ = folder
        }
    }
}
