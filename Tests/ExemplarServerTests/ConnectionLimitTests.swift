import ExemplarTestSupport
import Foundation
import Testing

/// Slow and hostile clients at the connection level: dribbled headers from many connections,
/// a body over the limit, conflicting lengths, the token before routing, strict ids and JSON.
@Suite(.timeLimit(.minutes(2))) struct ConnectionLimitTests {
    @Test func dribblingConnectionsFromAnotherAddressDoNotLockOutNewClients() async throws {
        try await withServer(configure: { $0.connectionTimeout = 30 }) { s in
            // 300 connections from 127.0.0.2 that send a request line and then a header byte at a time.
            var slow: [RawConnection] = []
            for _ in 0..<300 {
                guard let c = try? RawConnection(port: s.server.port, from: "127.0.0.2") else { break }
                c.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                slow.append(c)
            }
            #expect(slow.count >= 200)
            for round in 0..<3 {
                for c in slow { c.send("a") }
                // A fresh client is answered (before the epoll daemon, it was not, in 36 s).
                let reply = try await s.send("GET", "/health")
                #expect(reply.status == 200, "round \(round)")
                let embed = try await s.post("/embed", ["inputs": "still serving"])
                #expect(embed.status == 200, "round \(round)")
            }
            slow.forEach { $0.close() }
        }
    }

    @Test func bodiesOverTheLimitAreAnswered413NotReset() async throws {
        try await withServer(configure: { $0.maxBody = 2 << 20 }) { s in
            // 4 MB with a declared length: read and dropped, then a JSON 413 the client can read.
            let big = Data(#"{"input": ""#.utf8) + Data(repeating: UInt8(ascii: "a"), count: 4 << 20) + Data(#""}"#.utf8)
            let reply = try await s.send("POST", "/v1/embeddings", bytes: big)
            #expect(reply.status == 413)
            #expect(reply.object["error"] != nil, "\(reply.text.prefix(200))")
            #expect(try await s.send("GET", "/health").status == 200)
        }
        try await withServer(configure: { $0.maxBody = 4 << 20 }) { s in
            // --max-body 4 MB takes a body just under it (one long input, truncated by the model).
            let text = String(repeating: "word ", count: (4 << 20) / 5 - 10)
            let reply = try await s.post("/embed", ["inputs": text])
            #expect(reply.status == 200, "\(reply.text.prefix(200))")
        }
    }

    @Test func protocolAbuseGets400s() async throws {
        try await withServer(token: "t0ken") { s in
            // The token comes before routing: an unknown route or method says nothing without it.
            #expect(try await s.send("GET", "/v2/secret-route", useToken: false).status == 401)
            #expect(try await s.send("PUT", "/v1/embeddings", useToken: false).status == 401)
            #expect(try await s.send("GET", "/v2/secret-route").status == 404)
            #expect(try await s.send("GET", "/openapi.json", useToken: false).status == 200)

            let twoLengths = try RawConnection(port: s.server.port)
            twoLengths.send("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0ken\r\nContent-Length: 15\r\nContent-Length: 3\r\n\r\n{\"input\": \"x\"}")
            let reply = twoLengths.readAll()
            #expect(reply.hasPrefix("HTTP/1.1 400"), "\(reply.prefix(200))")

            for id in ["+1", "01", "%31", "1.0", "-1"] {
                let r = try await s.send("GET", "/v1/indexes/sst2/examples/\(id)")
                #expect(r.status == 400, "\(id): \(r.status) \(r.text)")
            }
            #expect(try await s.send("GET", "/v1/indexes/sst2/examples/1").status == 200)

            let twice = try await s.send("POST", "/v1/embeddings", body: #"{"input": "a", "input": "b"}"#)
            #expect(twice.status == 400 && twice.errorField == "input")
            let zero = try await s.post("/v1/indexes/sst2/search", ["vector": Array(repeating: 0.0, count: TestServer.encoder.dimension)])
            #expect(zero.status == 400 && zero.errorField == "vector")
            let pair = try await s.post("/v1/indexes/sst2/examples", ["text": "x", "text_b": "y", "label": "1"])
            #expect(pair.status == 400 && pair.errorField == "text_b")
        }
    }

    @Test func pastTheConnectionCapRequestsGet503AndSlowHeaders408() async throws {
        try await withServer(configure: { $0.connectionLimit = 4; $0.headerDeadline = 0.3 }) { s in
            let idle = try (0..<6).map { _ in try RawConnection(port: s.server.port) }
            let reply = try RawConnection(port: s.server.port)
            reply.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = reply.readAll()
            #expect(answer.hasPrefix("HTTP/1.1 503"), "\(answer.prefix(200))")
            #expect(answer.contains("Retry-After: 1") && answer.contains("--max-connections"))
            idle.forEach { $0.close() }
        }
        try await withServer(configure: { $0.headerDeadline = 0.3 }) { s in
            let slow = try RawConnection(port: s.server.port)
            slow.send("GET /health HTTP/1.1\r\nHost: x\r\n")
            usleep(1_000_000)  // not Task.sleep: a busy cooperative pool can resume it long after the idle timeout
            slow.send("\r\n")
            let answer = slow.readAll()
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(200))")
        }
    }
}
