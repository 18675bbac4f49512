import ExemplarEncoder
import ExemplarTestSupport
import Foundation
import Testing

/// The routes and fields TEI and OpenAI clients send unmodified: `POST /`, `/invocations`,
/// unknown fields on TEI routes, 150 inputs in one request, `/tokenize`, `/decode`, `/info`, `/v1/models`.
@Suite(.timeLimit(.minutes(2))) struct DropInRouteTests {
    @Test func teiRoutesEmbedAndIgnoreUnknownFields() async throws {
        try await withServer { s in
            let expected = TestServer.encoder.encode(["a gripping thriller ."], threads: 1)
            for path in ["/", "/invocations", "/embed"] {
                // langchain-community's TEI client sends "options"; TEI ignores what it does not know.
                let reply = try await s.post(path, ["inputs": ["a gripping thriller ."], "options": ["wait_for_model": true], "truncate": true])
                #expect(reply.status == 200, "\(path): \(reply.text)")
                let got = floats((reply.json as? [Any])?.first)
                #expect(got.count == expected.dimension && zip(got, expected[0]).allSatisfy { abs($0 - $1) <= 1e-5 }, "\(path)")
            }
            // GET / is TEI's health route; the OpenAI route stays strict, naming the field.
            #expect(try await s.send("GET", "/").object["status"] as? String == "ok")
            let strict = try await s.post("/v1/embeddings", ["input": "x", "options": [:] as [String: Any]])
            #expect(strict.status == 400 && strict.errorField == "options")
        }
    }

    @Test func manyInputsInOneRequestAreSplitIntoBatches() async throws {
        // The inference batch stays 16 (TestServer); 150 inputs in one request, as openai's client sends them.
        try await withServer { s in
            let texts = (0..<150).map { "sentence number \($0) ." }
            let expected = TestServer.encoder.encode(texts, threads: 1)
            let reply = try await s.post("/v1/embeddings", ["input": texts])
            #expect(reply.status == 200, "\(reply.text.prefix(200))")
            let data = reply.object["data"] as? [[String: Any]] ?? []
            #expect(data.count == 150)
            for (i, item) in data.enumerated() {
                #expect(item["index"] as? Int == i)
                #expect(zip(floats(item["embedding"]), expected[i]).allSatisfy { abs($0 - $1) <= 1e-5 })
            }
        }
        try await withServer(configure: { $0.maxClientBatch = 100 }) { s in
            let refused = try await s.post("/embed", ["inputs": Array(repeating: "x", count: 101)])
            #expect(refused.status == 413 && refused.errorField == "inputs")
            #expect(refused.text.contains("--max-client-batch"))
        }
    }

    @Test func emptyAndTokenInputsAreRefusedWithAHint() async throws {
        try await withServer { s in
            for (path, field, body) in [("/v1/embeddings", "input", ["input": ""] as [String: Any]), ("/embed", "inputs", ["inputs": ""]),
                                        ("/v1/embeddings", "input[1]", ["input": ["ok", ""]])] {
                let r = try await s.post(path, body)
                #expect(r.status == 400 && r.errorField == field, "\(path): \(r.text)")
            }
            let ids = try await s.post("/v1/embeddings", ["input": [[101, 2023, 102]]])
            #expect(ids.status == 400 && ids.errorField == "input[0]")
            #expect(ids.text.contains("check_embedding_ctx_length=False"))
        }
    }

    @Test func tokenizeDecodeInfoAndModels() async throws {
        try await withServer { s in
            let tokenizer = TestServer.encoder.tokenizer
            let text = "a gripping thriller"
            let tokens = try await s.post("/tokenize", ["inputs": [text, "dull"], "add_special_tokens": true])
            #expect(tokens.status == 200, "\(tokens.text)")
            let lists = tokens.json as? [[[String: Any]]] ?? []
            #expect(lists.count == 2)
            let ids = lists.first?.compactMap { $0["id"] as? Int } ?? []
            #expect(ids == tokenizer.encode(text).map(Int.init))
            #expect(lists.first?.first?["special"] as? Bool == true)  // [CLS]
            #expect(lists.first?.first?["start"] is NSNull)
            let plain = try await s.post("/tokenize", ["inputs": text, "add_special_tokens": false])
            #expect((plain.json as? [[[String: Any]]])?.first?.compactMap { $0["id"] as? Int } == tokenizer.tokenIDs(text).map(Int.init))

            let decoded = try await s.post("/decode", ["ids": ids])
            #expect(decoded.json as? [String] == [tokenizer.decode(tokenizer.encode(text))])
            let both = try await s.post("/decode", ["ids": [ids, ids], "skip_special_tokens": false])
            #expect((both.json as? [String])?.count == 2)
            let bad = try await s.post("/decode", ["ids": [1, -3]])
            #expect(bad.status == 400 && bad.errorField == "ids[1]")

            let info = try await s.send("GET", "/info").object
            #expect(info["model_id"] as? String == "tiny-bert-max")
            #expect(info["max_client_batch_size"] as? Int == 2048)
            #expect(info["max_input_length"] as? Int == tokenizer.maxLength)
            #expect((info["model_type"] as? [String: Any])?["embedding"] != nil)

            let models = try await s.send("GET", "/v1/models").object
            #expect((models["data"] as? [[String: Any]])?.first?["id"] as? String == "tiny-bert-max")
            #expect(try await s.send("GET", "/v1/models/tiny-bert-max").object["object"] as? String == "model")
            #expect(try await s.send("GET", "/v1/models/gpt-4").status == 404)
        }
    }
}
