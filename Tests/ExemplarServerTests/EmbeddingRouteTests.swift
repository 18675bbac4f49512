import ExemplarEncoder
import ExemplarTestSupport
import Foundation
import Testing

/// `/v1/embeddings` and `/embed` against the encoder called directly.
@Suite(.timeLimit(.minutes(2))) struct EmbeddingRouteTests {
    let texts = ["a gripping thriller .", "a dull mess .", "Hello, world!"]

    @Test func openAIFloatAndBase64MatchTheEncoder() async throws {
        try await withServer { s in
            let expected = TestServer.encoder.encode(texts, threads: 1)
            let reply = try await s.post("/v1/embeddings", ["input": texts, "model": "anything"])
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "application/json")
            // No client may cache an answer (URLSession's disk cache once served a stale index count).
            #expect(reply.headers["cache-control"] == "no-store")
            let o = reply.object
            #expect(o["object"] as? String == "list")
            #expect(o["model"] as? String == "tiny-bert-max")
            let data = o["data"] as? [[String: Any]] ?? []
            #expect(data.count == 3)
            for (i, item) in data.enumerated() {
                #expect(item["object"] as? String == "embedding")
                #expect(item["index"] as? Int == i)
                // The server batches texts its own way (split across cores), so float sums may
                // differ in the last bits; JSON's shortest float text round-trips exactly (JSONTests).
                let got = floats(item["embedding"])
                #expect(got.count == expected.dimension && zip(got, expected[i]).allSatisfy { abs($0 - $1) <= 1e-5 })
            }
            let tokens = texts.map { TestServer.encoder.tokenize($0).count }.reduce(0, +)
            let usage = o["usage"] as? [String: Any]
            #expect(usage?["prompt_tokens"] as? Int == tokens && usage?["total_tokens"] as? Int == tokens)

            let b64 = try await s.post("/v1/embeddings", ["input": texts[0], "encoding_format": "base64"])
            let item = (b64.object["data"] as? [[String: Any]])?.first
            let bytes = Data(base64Encoded: item?["embedding"] as? String ?? "") ?? Data()
            var decoded: [Float] = []
            for i in stride(from: 0, to: bytes.count, by: 4) {
                var bits = UInt32(bytes[i])
                bits |= UInt32(bytes[i + 1]) << 8
                bits |= UInt32(bytes[i + 2]) << 16
                bits |= UInt32(bytes[i + 3]) << 24
                decoded.append(Float(bitPattern: bits))
            }
            // Exactly the float form of the same request (vectors can differ in the last bits
            // between batch compositions, as BLAS sums in another order).
            let single = Array(TestServer.encoder.encode([texts[0]], threads: 1)[0])
            #expect(decoded == single)
            let asFloats = try await s.post("/v1/embeddings", ["input": texts[0]])
            #expect(floats((asFloats.object["data"] as? [[String: Any]])?.first?["embedding"]) == decoded)
        }
    }

    @Test func teiEmbedReturnsArrays() async throws {
        try await withServer { s in
            let expected = TestServer.encoder.encode(texts, threads: 1)
            let reply = try await s.post("/embed", ["inputs": texts, "normalize": true])
            #expect(reply.status == 200)
            let rows = reply.json as? [Any] ?? []
            #expect(rows.count == 3)
            for (i, row) in rows.enumerated() {
                #expect(zip(floats(row), expected[i]).allSatisfy { abs($0 - $1) < 1e-6 })
            }
            let single = try await s.post("/embed", ["inputs": texts[1]])
            #expect((single.json as? [Any])?.count == 1)
            // Without truncation an input over the model's 64 tokens is refused.
            let long = String(repeating: "word ", count: 200)
            let refused = try await s.post("/embed", ["inputs": long, "truncate": false])
            #expect(refused.status == 413 && refused.errorField == "inputs")
            #expect(try await s.post("/embed", ["inputs": long]).status == 200)
        }
    }

    @Test func concurrentRequestsGetTheirOwnVectors() async throws {
        try await withServer { s in
            let sentences = (0..<48).map { "sentence number \($0) about \($0 % 2 == 0 ? "films" : "food")" }
            let expected = TestServer.encoder.encode(sentences, threads: 1)
            let replies = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
                for (i, text) in sentences.enumerated() {
                    group.addTask {
                        let r = try await s.post("/v1/embeddings", ["input": text])
                        return (i, floats((r.object["data"] as? [[String: Any]])?.first?["embedding"]))
                    }
                }
                var out: [Int: [Float]] = [:]
                for try await (i, v) in group { out[i] = v }
                return out
            }
            #expect(replies.count == sentences.count)
            for i in sentences.indices {
                let got = replies[i] ?? []
                #expect(got.count == expected.dimension)
                #expect(zip(got, expected[i]).allSatisfy { abs($0 - $1) < 1e-5 }, "request \(i) got another text's vector")
            }
            // The worker merged some of them: fewer batches than requests.
            let metrics = try await s.send("GET", "/metrics").text
            let line = metrics.split(separator: "\n").first { $0.hasPrefix("exemplar_inference_batch_size_count") }
            let batches = Int(line?.split(separator: " ").last ?? "") ?? 0
            #expect(batches >= 1 && batches <= sentences.count)
        }
    }
}
