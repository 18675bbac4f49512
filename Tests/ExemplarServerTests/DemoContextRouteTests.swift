import ExemplarTestSupport
import Foundation
import Testing

/// The demonstrations route's context fields: context_order, max_similarity, max_context_tokens (the served model's tokens).
@Suite(.timeLimit(.minutes(2))) struct DemoContextRouteTests {
    func demos(_ reply: TestServer.Reply) -> [[String: Any]] {
        (((reply.object["results"] as? [[String: Any]])?.first?["samples"] as? [[String: Any]])?.first?["demonstrations"] as? [[String: Any]]) ?? []
    }

    @Test func contextFieldsAreDecodedAndChecked() async throws {
        try await withServer { s in
            let base: [String: Any] = ["text": "a great movie", "policy": "balanced", "count": 4, "template": "lmbff"]
            var request = base
            request["context_order"] = "similar-last"
            let reply = try await s.post("/v1/indexes/sst2/demonstrations", request)
            #expect(reply.status == 200, "\(reply.text)")
            let similarities = demos(reply).compactMap { $0["similarity"] as? Double }
            #expect(similarities.count == 4 && similarities == similarities.sorted())

            // max_similarity below the best match leaves it out (the fixture has 4 train examples).
            let best = similarities.last!
            request["max_similarity"] = best - 1e-4
            let guarded = demos(try await s.post("/v1/indexes/sst2/demonstrations", request)).compactMap { $0["similarity"] as? Double }
            #expect(guarded.count == 3 && guarded.allSatisfy { $0 <= best - 1e-4 })

            // A token budget keeps fewer demonstrations; one under the query alone is a 400 naming the field.
            request = base
            request["max_context_tokens"] = 40
            let cut = try await s.post("/v1/indexes/sst2/demonstrations", request)
            #expect(cut.status == 200, "\(cut.text)")
            #expect(demos(cut).count < 4)
            request["max_context_tokens"] = 3
            let tooSmall = try await s.post("/v1/indexes/sst2/demonstrations", request)
            #expect(tooSmall.status == 400 && tooSmall.errorField == "max_context_tokens", "\(tooSmall.text)")

            for (field, value) in [("context_order", "backwards" as Any), ("max_similarity", 2.0), ("max_context_tokens", 0), ("count", 0)] {
                var bad = base
                bad[field] = value
                let r = try await s.post("/v1/indexes/sst2/demonstrations", bad)
                #expect(r.status == 400 && r.errorField == field, "\(field): \(r.text)")
            }
        }
    }
}
