import ExemplarServer
import ExemplarTestSupport
import Foundation
import Testing

/// Snapshot consistency under concurrent edits, connection-level limits, start-up checks.
@Suite(.timeLimit(.minutes(2))) struct RobustnessTests {
    /// Twelve adds race 24 per-class searches and descriptions: every answer is a 200 from one
    /// whole snapshot (the 11 built examples plus some of the added ones, in the index's classes).
    @Test func searchesDuringEditsSeeWholeSnapshots() async throws {
        try await withServer { s in
            let before = try await s.send("GET", "/v1/indexes/sst2")
            let labels = try #require(before.object["labels"] as? [String], "\(before.text)")
            #expect(labels == ["0", "1"] && before.object["examples"] as? Int == 11, "\(before.text)")
            let texts = (0..<12).map { "freshly added example number \($0)" }
            let label: @Sendable (String) -> String? = { text in texts.firstIndex(of: text).map { $0 % 2 == 0 ? "0" : "1" } }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for text in texts {
                    group.addTask {
                        let r = try await s.post("/v1/indexes/sst2/examples", ["text": text, "label": label(text)!])
                        #expect(r.status == 201, "\(r.text)")
                    }
                }
                for _ in 0..<24 {
                    group.addTask {
                        // One group per class of the index, in its order; k is above any class's
                        // size, so each holds every example of its class in the snapshot.
                        let r = try await s.post("/v1/indexes/sst2/search", ["text": "freshly added example", "k": 30, "per_class": true])
                        #expect(r.status == 200, "\(r.text)")
                        let groups = try #require(r.object["results"] as? [[String: Any]], "\(r.text)")
                        #expect(groups.map { $0["label"] as? String } == labels, "\(r.text)")
                        var total = 0
                        for group in groups {
                            let hits = try #require(group["hits"] as? [[String: Any]], "\(r.text)")
                            #expect(!hits.isEmpty, "\(r.text)")
                            total += hits.count
                            // Every hit is a whole record that exists, in its class's group; an
                            // added one carries the label it was added with.
                            for hit in hits {
                                #expect(hit["text"] is String && hit["label"] is String && hit["split"] is String)
                                #expect(hit["label"] as? String == group["label"] as? String, "\(hit)")
                                if let text = hit["text"] as? String, let added = label(text) {
                                    #expect(hit["label"] as? String == added, "\(hit)")
                                }
                            }
                        }
                        #expect((11...23).contains(total), "\(total) hits: \(r.text)")
                        // The description's counts add up, over the index's classes.
                        let described = try await s.send("GET", "/v1/indexes/sst2")
                        #expect(described.status == 200, "\(described.text)")
                        let d = described.object
                        let counts = try #require(d["counts_by_label"] as? [String: Int], "\(described.text)")
                        let byLabel = counts.values.reduce(0, +)
                        #expect(byLabel == d["examples"] as? Int)
                        #expect(Set(counts.keys) == Set(labels) && (11...23).contains(byLabel), "\(described.text)")
                    }
                }
                try await group.waitForAll()
            }
            let ids = Set((11..<23).map { $0 })
            let all = try await s.post("/v1/indexes/sst2/search", ["text": "freshly added example", "k": 100])
            #expect(all.status == 200, "\(all.text)")
            let hits = try #require((all.object["results"] as? [[String: Any]])?.first?["hits"] as? [[String: Any]], "\(all.text)")
            let found = Set(hits.compactMap { $0["id"] as? Int })
            #expect(ids.isSubset(of: found))
            #expect(found == Set(0..<23), "\(all.text)")
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
            // Ids past UInt32 are not clamped onto another example: 404, and nothing is deleted.
            for id in ["4294967296", "4294967295", "99999999999"] {
                #expect(try await s.send("DELETE", "/v1/indexes/sst2/examples/\(id)").status == 404)
            }
            #expect(try await s.send("GET", "/v1/indexes/sst2").object["examples"] as? Int == 11)
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
