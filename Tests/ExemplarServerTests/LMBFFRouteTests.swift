import ExemplarTestSupport
import Foundation
import Testing

/// The demonstrations route's LM-BFF training-input fields: tokenizer (one `serve --tokenizer` offers, by name),
/// lmbff_task, sentence limits, max_seq_length, sampling, ids.
@Suite(.timeLimit(.minutes(2))) struct LMBFFRouteTests {
    func samples(_ reply: TestServer.Reply) -> [[String: Any]] {
        ((reply.object["results"] as? [[String: Any]]) ?? []).flatMap { ($0["samples"] as? [[String: Any]]) ?? [] }
    }

    @Test func tokenIDsWithTheTargetTokenizer() async throws {
        let bpe = "bpe"
        try await withServer(configure: { $0.tokenizerPaths = [Fixtures.url("lmbff-ids/bpe/tokenizer.json")] }) { s in
            let request: [String: Any] = ["queries": [["text": "a great movie"], ["text": "a dull , lifeless mess"]],
                                          "lmbff_task": "SST-2", "tokenizer": bpe, "ids": true, "sampling": "lmbff", "num_sample": 3]
            let reply = try await s.post("/v1/indexes/sst2/demonstrations", request)
            #expect(reply.status == 200, "\(reply.text)")
            let all = samples(reply)
            #expect(all.count == 6)
            for sample in all {
                let ids = sample["input_ids"] as? [Int] ?? [], mask = sample["attention_mask"] as? [Int] ?? []
                #expect(ids.count == 128 && mask.count == 128)
                #expect(ids.first == 0)  // <s>
                let position = (sample["mask_pos"] as? [Int])?.first ?? -1
                #expect(position > 0 && ids[position] == 4)  // <mask>
                #expect(sample["label_word_list"] as? [Int] == [744, 681])
                #expect(sample["token_type_ids"] == nil)
                #expect((sample["context"] as? String)?.hasPrefix("<s>") == true)
            }
            // LM-BFF's stream is deterministic for the seed and the queries' order.
            let again = try await s.post("/v1/indexes/sst2/demonstrations", request)
            #expect(samples(again).map { $0["input_ids"] as? [Int] ?? [] } == all.map { $0["input_ids"] as? [Int] ?? [] })
        }
    }

    @Test func fieldsAreChecked() async throws {
        let bpe = "bpe"
        try await withServer(configure: { $0.tokenizerPaths = [Fixtures.url("lmbff-ids/bpe/tokenizer.json")] }) { s in
            let cases: [([String: Any], String)] = [
                (["text": "x", "template": "lmbff", "first_sent_limit": 10], "first_sent_limit"),
                (["text": "x", "lmbff_task": "SST-2"], "lmbff_task"),
                (["text": "x", "lmbff_task": "SST-9", "tokenizer": bpe], "lmbff_task"),
                (["text": "x", "lmbff_task": "SST-2", "tokenizer": "/nonexistent/tokenizer.json"], "tokenizer"),
                (["text": "x", "lmbff_task": "SST-2", "tokenizer": Fixtures.url("lmbff-ids/bpe/tokenizer.json").path], "tokenizer"),  // no paths
                (["text": "x", "lmbff_task": "SST-2", "tokenizer": "roberta-large"], "tokenizer"),
                (["text": "x", "lmbff_task": "SST-2", "tokenizer": bpe, "special_tokens": "bert"], "special_tokens"),
                (["text": "x", "lmbff_task": "SST-2", "tokenizer": bpe, "sampling": "lmbff", "policy": "nearest"], "sampling"),
                (["text": "x", "lmbff_task": "SST-2", "tokenizer": bpe, "sampling": "numpy"], "sampling"),
                (["text": "x", "template": "lmbff", "ids": true], "ids"),
            ]
            for (body, field) in cases {
                let r = try await s.post("/v1/indexes/sst2/demonstrations", body)
                #expect(r.status == 400 && r.errorField == field, "\(body): \(r.text)")
            }
        }
    }
}
