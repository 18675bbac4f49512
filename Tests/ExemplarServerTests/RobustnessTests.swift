import ExemplarServer
import ExemplarTestSupport
import Foundation
import Testing

/// Snapshot consistency under concurrent edits, connection-level limits, start-up checks.
@Suite(.timeLimit(.minutes(2))) struct RobustnessTests {
    @Test func searchesDuringEditsSeeWholeSnapshots() async throws {
        try await withServer { s in
            let texts = (0..<12).map { "freshly added example number \($0)" }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (i, text) in texts.enumerated() {
                    group.addTask {
                        let r = try await s.post("/v1/indexes/sst2/examples", ["text": text, "label": i % 2 == 0 ? "0" : "1"])
                        #expect(r.status == 201, "\(r.text)")
                    }
                }
                for _ in 0..<24 {
                    group.addTask {
                        // Every hit is a whole record that exists, and the description's counts add up.
                        let r = try await s.post("/v1/indexes/sst2/search", ["text": "freshly added example", "k": 30, "per_class": true])
                        let groups = r.object["results"] as? [[String: Any]] ?? []
                        for hit in groups.flatMap({ $0["hits"] as? [[String: Any]] ?? [] }) {
                            #expect(hit["text"] is String && hit["label"] is String && hit["split"] is String)
                        }
                        let d = try await s.send("GET", "/v1/indexes/sst2").object
                        let byLabel = (d["counts_by_label"] as? [String: Int] ?? [:]).values.reduce(0, +)
                        #expect(byLabel == d["examples"] as? Int)
                    }
                }
                try await group.waitForAll()
            }
            let ids = Set((11..<23).map { $0 })
            let all = try await s.post("/v1/indexes/sst2/search", ["text": "freshly added example", "k": 100])
            let found = Set(((all.object["results"] as? [[String: Any]])?.first?["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int })
            #expect(ids.isSubset(of: found))
            #expect(try await s.send("GET", "/v1/indexes/sst2").object["examples"] as? Int == 23)
        }
    }

    @Test func idleConnectionsTimeOutAndChunkedBodiesAreCapped() async throws {
        try await withServer(configure: { $0.connectionTimeout = 1; $0.maxBody = 4096 }) { s in
            let idle = try RawConnection(port: s.server.port)
            let start = Date()
            #expect(idle.readAll().isEmpty)
            #expect(Date().timeIntervalSince(start) < 5)

            let chunked = try RawConnection(port: s.server.port)
            let chunk = String(repeating: "a", count: 3000)
            chunked.send("POST /v1/embeddings HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
            chunked.send("bb8\r\n\(chunk)\r\nbb8\r\n\(chunk)\r\n0\r\n\r\n")
            let reply = chunked.readAll()
            #expect(reply.hasPrefix("HTTP/1.1 413"), "\(reply.prefix(120))")

            let head = try await s.send("HEAD", "/health")
            #expect(head.status == 200 && head.body.isEmpty)
            let unknown = try await s.send("GET", "/v1/indexes/sst2/examples/12345678901234567890")
            #expect(unknown.status == 404)
        }
    }

    @Test func templateErrorsNameTheTemplate() async throws {
        try await withServer { s in
            // SST-2 examples have one sentence: a template that uses a second one is refused.
            let r = try await s.post("/v1/indexes/sst2/demonstrations",
                                     ["text": "x", "policy": "nearest", "template": "*cls**sent_0**mask**sent_1**sep+*",
                                      "label_words": ["0": "bad", "1": "good"]])
            #expect(r.status == 400 && r.errorField == "template", "\(r.text)")
        }
    }

    @Test func startRefusesDuplicateNamesAndAnotherModel() throws {
        let s = try TestServer()
        s.server.stop()  // the index is opened again below: one LMDB environment per file per process
        defer { TemporaryFolder.remove(s.root) }
        var twice = ServerConfiguration(modelFolder: TestServer.model)
        twice.port = 0
        twice.indexFolders = [s.indexFolder, s.indexFolder]
        #expect(throws: ServerError.self) { _ = try Server.start(twice) }
        var other = ServerConfiguration(modelFolder: Fixtures.url("tiny-bert-cls"))
        other.port = 0
        other.indexFolders = [s.indexFolder]
        #expect { _ = try Server.start(other) } throws: { error in
            "\(error)".contains("built with model tiny-bert-max")
        }
        other.indexFolders = []
        let embeddingsOnly = try Server.start(other)  // no index: nothing to disagree with
        #expect(embeddingsOnly.port > 0 && embeddingsOnly.indexNames.isEmpty)
        embeddingsOnly.stop()
    }
}
