import ExemplarTestSupport
import Foundation
import Testing

/// Every error class over real HTTP, auth on and off, and inputs that must not crash the server.
@Suite(.timeLimit(.minutes(2))) struct ErrorAndAuthTests {
    @Test func badRequestsNameTheField() async throws {
        try await withServer { s in
            let cases: [(String, String, String?)] = [
                ("/v1/embeddings", #"{"input": 3}"#, "input"),
                ("/v1/embeddings", #"{"input": ["ok", 4]}"#, "input[1]"),
                ("/v1/embeddings", #"{}"#, "input"),
                ("/v1/embeddings", #"{"input": "x", "encoding_format": "hex"}"#, "encoding_format"),
                ("/v1/embeddings", #"{"input": "x", "inptu": 1}"#, "inptu"),
                ("/v1/embeddings", #"{"input": "#, nil),
                ("/v1/embeddings", #"[1, 2]"#, nil),
                ("/embed", #"{"inputs": "x", "normalize": "yes"}"#, "normalize"),
                ("/v1/indexes/sst2/search", #"{"text": "x", "k": 0}"#, "k"),
                ("/v1/indexes/sst2/search", #"{"text": "x", "k": 2.5}"#, "k"),
                ("/v1/indexes/sst2/search", #"{"text": "x", "label": "7"}"#, "label"),
                ("/v1/indexes/sst2/search", #"{"text": "x", "split": "validation"}"#, "split"),
                ("/v1/indexes/sst2/search", #"{"vector": [1, 2, 3]}"#, "vector"),
                ("/v1/indexes/sst2/search", #"{"text": "x", "texts": ["y"]}"#, "texts"),
                ("/v1/indexes/sst2/search", #"{"text": "x", "exclude_ids": [-1]}"#, "exclude_ids[0]"),
                ("/v1/indexes/sst2/demonstrations", #"{"text": "x", "policy": "best"}"#, "policy"),
                ("/v1/indexes/sst2/demonstrations", #"{"queries": [{"text": "x"}], "text": "y"}"#, "text"),
                ("/v1/indexes/sst2/demonstrations", #"{"queries": [{"text": "x", "label": "1"}]}"#, "queries[0].label"),
                ("/v1/indexes/sst2/demonstrations", #"{"text": "x", "filter_rate": 2}"#, "filter_rate"),
                ("/v1/indexes/sst2/demonstrations", #"{"text": "x", "template": "*cls**sent_0**mask*"}"#, "label_words"),
                ("/v1/indexes/sst2/demonstrations", #"{"text": "x", "template": "*cls**sent0*", "label_words": {"0": "no", "1": "yes"}}"#, "template"),
                ("/v1/indexes/sst2/examples", #"{"text": "x", "label": "maybe"}"#, "label"),
                ("/v1/indexes/sst2/examples", #"{"examples": [{"label": "1"}]}"#, "examples[0].text"),
            ]
            for (path, body, field) in cases {
                let r = try await s.send("POST", path, body: body)
                #expect(r.status == 400, "\(path) \(body): \(r.status) \(r.text)")
                #expect(r.errorField == field, "\(path) \(body): \(r.text)")
                #expect(((r.object["error"] as? [String: Any])?["message"] as? String ?? "").count > 10)
            }
        }
    }

    @Test func notFoundMethodAndSizeLimits() async throws {
        try await withServer(configure: { $0.maxBody = 4096; $0.maxClientBatch = 16 }) { s in
            #expect(try await s.send("GET", "/v2/nothing").status == 404)
            #expect(try await s.send("GET", "/v1/indexes/nope").status == 404)
            #expect(try await s.send("POST", "/v1/indexes/nope/search", body: #"{"text": "x"}"#).status == 404)
            #expect(try await s.send("GET", "/v1/indexes/sst2/examples/999").status == 404)
            let wrong = try await s.send("GET", "/v1/embeddings")
            #expect(wrong.status == 405 && wrong.headers["allow"] == "POST")
            let delete = try await s.send("POST", "/v1/indexes/sst2/examples/3")
            #expect(delete.status == 405 && delete.headers["allow"] == "GET, DELETE")
            let big = #"{"input": ""# + String(repeating: "a", count: 10_000) + #""}"#
            #expect(try await s.send("POST", "/v1/embeddings", body: big).status == 413)
            let many = try await s.post("/v1/embeddings", ["input": Array(repeating: "x", count: 17)])
            #expect(many.status == 413 && many.errorField == "input")
            #expect(try await s.send("GET", "/health").status == 200)  // still serving
            let metrics = try await s.send("GET", "/metrics").text
            #expect(metrics.contains("exemplar_http_requests_total{route=\"/v1/embeddings\",method=\"POST\",status=\"413\"} 2"))
            #expect(metrics.contains("exemplar_http_requests_total{route=\"/v1/embeddings\",method=\"GET\",status=\"405\"} 1"))
        }
    }

    @Test func bearerTokenGuardsEveryRouteButHealth() async throws {
        try await withServer(token: "s3cret-token") { s in
            #expect(try await s.send("GET", "/health", useToken: false).status == 200)
            for (method, path) in [("GET", "/v1/indexes"), ("GET", "/metrics"), ("POST", "/v1/embeddings"), ("GET", "/v1/indexes/sst2")] {
                let none = try await s.send(method, path, body: method == "POST" ? #"{"input": "x"}"# : nil, useToken: false)
                #expect(none.status == 401 && none.headers["www-authenticate"] == "Bearer", "\(path)")
                let wrong = try await s.send(method, path, body: method == "POST" ? #"{"input": "x"}"# : nil, token: "s3cret-tokem")
                #expect(wrong.status == 401, "\(path)")
                let short = try await s.send(method, path, body: method == "POST" ? #"{"input": "x"}"# : nil, token: "s3cret")
                #expect(short.status == 401, "\(path)")
                #expect(try await s.send(method, path, body: method == "POST" ? #"{"input": "x"}"# : nil).status == 200, "\(path)")
            }
        }
    }

    @Test func hostileBodiesNeverCrashTheServer() async throws {
        try await withServer { s in
            var bodies: [Data] = [Data(), Data([0xFF, 0xFE, 0x00]), Data("{\"input\": \"\u{0}\"}".utf8),
                                  Data((String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)).utf8),
                                  Data(#"{"input": "\ud800"}"#.utf8), Data(#"{"input": 1e999999}"#.utf8),
                                  Data(#"{"text": "x", "k": 1e300}"#.utf8), Data(#"{"input": "ok"} trailing"#.utf8)]
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<20 { bodies.append(Data((0..<200).map { _ in UInt8.random(in: 0...255, using: &generator) })) }
            for path in ["/v1/embeddings", "/embed", "/v1/indexes/sst2/search", "/v1/indexes/sst2/demonstrations", "/v1/indexes/sst2/examples"] {
                for body in bodies {
                    let r = try await s.send("POST", path, bytes: body)
                    #expect((400..<500).contains(r.status), "\(path): \(r.status) \(r.text)")
                }
            }
            let metrics = try await s.send("GET", "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains("exemplar_http_requests_total{route=\"/v1/embeddings\",method=\"POST\",status=\"400\"}"))
            #expect(metrics.text.contains("exemplar_index_examples{index=\"sst2\"} 11"))
        }
    }
}
