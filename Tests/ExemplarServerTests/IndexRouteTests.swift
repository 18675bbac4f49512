import ExemplarIndex
import ExemplarTestSupport
import Foundation
import Testing

/// Index listing, description and search against `ExactIndex` called directly.
@Suite(.timeLimit(.minutes(2))) struct IndexRouteTests {
    @Test func listAndDescribe() async throws {
        try await withServer { s in
            let list = try await s.send("GET", "/v1/indexes")
            #expect(list.status == 200)
            let data = list.object["data"] as? [[String: Any]] ?? []
            #expect(data.map { $0["name"] as? String } == ["sst2"])
            let one = try await s.send("GET", "/v1/indexes/sst2")
            #expect(one.object["examples"] as? Int == 11)
            #expect(one.object["labels"] as? [String] == ["0", "1"])
            #expect((one.object["counts_by_split"] as? [String: Int]) == ["train": 4, "dev": 4, "test": 3])
            #expect((one.object["model"] as? [String: Any])?["dimension"] as? Int == 48)
            let models = try await s.send("GET", "/v1/models")
            #expect(((models.object["data"] as? [[String: Any]])?.first?["id"]) as? String == "tiny-bert-max")
            let health = try await s.send("GET", "/health")
            #expect(health.status == 200 && health.object["status"] as? String == "ok")
        }
    }

    @Test func searchMatchesExactIndex() async throws {
        try await withServer { s in
            let query = "a tremendous , wonderful film"
            let vector = Array(TestServer.encoder.encode([query], threads: 1)[0])
            let reply = try await s.post("/v1/indexes/sst2/search", ["text": query, "k": 3])
            #expect(reply.status == 200)
            #expect(reply.object["query"] as? String == query)
            let groups = reply.object["results"] as? [[String: Any]] ?? []
            let hits = groups.first?["hits"] as? [[String: Any]] ?? []
            let direct = s.exact.search(vector, k: 3, threads: 1)
            #expect(hits.map { $0["id"] as? Int } == direct.map { Int($0.id) })
            #expect(Set(hits.first?.keys.map { $0 } ?? []) == ["id", "label", "line", "score", "split", "text"])

            // By vector, per class, filtered: same as searchPerClass.
            let perClass = try await s.post("/v1/indexes/sst2/search",
                                            ["vector": vector, "k": 2, "per_class": true, "split": "train", "exclude_ids": [0]])
            let classes = perClass.object["results"] as? [[String: Any]] ?? []
            let expected = s.exact.searchPerClass(vector, k: 2, filter: SearchFilter(split: "train", excluding: [0]), threads: 1)
            #expect(classes.map { $0["label"] as? String } == ["0", "1"])
            for (got, want) in zip(classes, expected) {
                #expect((got["hits"] as? [[String: Any]] ?? []).map { $0["id"] as? Int } == want.hits.map { Int($0.id) })
            }
            // Several texts at once.
            let many = try await s.post("/v1/indexes/sst2/search", ["texts": [query, "sad nonsense"], "k": 1, "label": "0"])
            let queries = many.object["queries"] as? [[String: Any]] ?? []
            #expect(queries.count == 2)
            #expect(queries.allSatisfy { q in
                ((q["results"] as? [[String: Any]])?.first?["hits"] as? [[String: Any]])?.first?["label"] as? String == "0"
            })
        }
    }

    @Test func demonstrationsWithTemplateAndSelfExclusion() async throws {
        try await withServer { s in
            let request: [String: Any] = ["text": "a great movie", "template": "lmbff", "num_sample": 3, "seed": 7]
            let reply = try await s.post("/v1/indexes/sst2/demonstrations", request)
            #expect(reply.status == 200, "\(reply.text)")
            let results = reply.object["results"] as? [[String: Any]] ?? []
            let samples = results.first?["samples"] as? [[String: Any]] ?? []
            #expect(samples.count == 3)
            for sample in samples {
                let demos = sample["demonstrations"] as? [[String: Any]] ?? []
                #expect(demos.map { $0["label"] as? String } == ["0", "1"])  // one per label, in label order
                let context = sample["context"] as? String ?? ""
                #expect(context.hasPrefix("<s>a great movie It was<mask>.</s>") && context.contains(" It was great."))
            }
            // Deterministic for a seed.
            #expect(try await s.post("/v1/indexes/sst2/demonstrations", request).text == reply.text)

            // A query that is a train example (by id) never gets itself; nearest k per label.
            let nearest = try await s.post("/v1/indexes/sst2/demonstrations",
                                           ["queries": [["id": 0], ["text": "sad nonsense , this .", "id": 1]], "policy": "nearest", "k": 1])
            #expect(nearest.status == 200, "\(nearest.text)")
            let byQuery = nearest.object["results"] as? [[String: Any]] ?? []
            #expect(byQuery.count == 2)
            for (q, own) in zip(byQuery, [0, 1]) {
                let ids = ((q["samples"] as? [[String: Any]])?.first?["demonstrations"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                #expect(ids.count == 2 && !ids.contains(own))
            }
        }
    }

    /// A new text draws by its own key, not its position: alone, or third in a batch, it gets
    /// the same samples (so clients that batch differently get the same demonstrations).
    @Test func aTextDrawsTheSameSamplesWhereverItStands() async throws {
        try await withServer { s in
            let text = "a great movie"
            func samples(_ queries: [String]) async throws -> [Any] {
                let reply = try await s.post("/v1/indexes/sst2/demonstrations",
                                             ["queries": queries.map { ["text": $0] }, "num_sample": 4, "seed": 3])
                #expect(reply.status == 200, "\(reply.text)")
                return (reply.object["results"] as? [[String: Any]] ?? []).map { $0["samples"] ?? [] }
            }
            let alone = try await samples([text])
            let third = try await samples(["sad nonsense , this .", "an utter bore", text])
            #expect(alone.count == 1 && third.count == 3)
            let encode = { (value: Any) in String(decoding: try JSONSerialization.data(withJSONObject: value, options: .sortedKeys), as: UTF8.self) }
            #expect(try encode(alone[0]) == encode(third[2]))
            #expect(try encode(third[0]) != encode(third[2]))
        }
    }

    @Test func addedAndDeletedExamplesAreSearchedAndPersisted() async throws {
        let server = try TestServer()
        defer { TemporaryFolder.remove(server.root) }
        let text = "an utterly unforgettable triumph"
        let demoRequest: [String: Any] = ["text": text, "policy": "nearest", "k": 4]
        // Warm the selector cache: it must not serve the index as it was before the edits.
        #expect(!(try await server.post("/v1/indexes/sst2/demonstrations", demoRequest).text.contains("\"id\":11,")))
        let added = try await server.post("/v1/indexes/sst2/examples", ["examples": [["text": text, "label": "1"],
                                                                                     ["text": "a second new one", "label": "0", "split": "dev"]]])
        #expect(added.status == 201, "\(added.text)")
        #expect(added.object["ids"] as? [Int] == [11, 12])
        func top() async throws -> Int? {
            let r = try await server.post("/v1/indexes/sst2/search", ["text": text, "k": 1])
            return (((r.object["results"] as? [[String: Any]])?.first?["hits"]) as? [[String: Any]])?.first?["id"] as? Int
        }
        #expect(try await top() == 11)
        #expect(try await server.send("GET", "/v1/indexes/sst2/examples/11").object["text"] as? String == text)
        #expect(try await server.send("GET", "/v1/indexes/sst2").object["examples"] as? Int == 13)
        #expect(try await server.post("/v1/indexes/sst2/demonstrations", demoRequest).text.contains("\"id\":11,"))
        #expect(try await server.send("DELETE", "/v1/indexes/sst2/examples/11").status == 200)
        #expect(try await top() != 11)
        #expect(try await server.send("DELETE", "/v1/indexes/sst2/examples/11").status == 404)
        #expect(try await server.send("GET", "/v1/indexes/sst2/examples/11").status == 404)
        // Demonstrations never come from a deleted example.
        let demos = try await server.post("/v1/indexes/sst2/demonstrations", demoRequest)
        #expect(!demos.text.contains("\"id\":11,"))
        server.server.stop()

        // Reopened from LMDB: the change is still there.
        let reopened = try OnlineIndex(folder: server.indexFolder)
        let snapshot = reopened.snapshot
        #expect(snapshot.count == 12 && snapshot.deleted == [11])
        #expect(snapshot.record(12)?.split == "dev" && snapshot.record(11) == nil)
        #expect(snapshot.index.manifest.countsByLabel == ["0": 8, "1": 4])
    }
}
