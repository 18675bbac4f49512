import ExemplarJSON
import ExemplarServer
import ExemplarTestSupport
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The same request through `exemplar` and through `exemplar serve`'s routes gives the same
/// answer: demonstrations and contexts from `demos` and `/demonstrations`, the same bytes
/// from `query --json` and `/search`.
@Suite(.timeLimit(.minutes(2))) struct FrontEndParityTests {
    let cli = CLIRunner()
    var tiny: URL { Fixtures.url("tiny-bert-max") }

    /// Builds the SST-2 fixture index with the CLI and serves it in-process on a free port.
    func withIndexAndServer(_ body: (_ index: String, _ base: String) async throws -> Void) async throws {
        let dir = try TemporaryFolder.create("exemplar-parity")
        defer { TemporaryFolder.remove(dir) }
        let index = dir.appendingPathComponent("sst2").path
        let built = try cli.run(["build", "--data", Fixtures.url("data/k-shot/SST-2/16-42").path,
                                 "--task", "SST-2", "--out", index, "--model", tiny.path])
        try #require(built.status == 0, "\(built.stderr)")
        var configuration = ServerConfiguration(modelFolder: tiny)
        configuration.port = 0
        configuration.indexFolders = [URL(fileURLWithPath: index)]
        let server = try Server.start(configuration)
        defer { server.stop() }
        try await body(index, "http://127.0.0.1:\(server.port)")
    }

    func post(_ url: String, _ json: String) async throws -> (status: Int, body: Data) {
        var request = URLRequest(url: URL(string: url)!)
        request.cachePolicy = .reloadIgnoringLocalCacheData  // URLCache.shared persists on disk across runs
        request.httpMethod = "POST"
        request.httpBody = Data(json.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, data)
    }

    func parse(_ data: some Sequence<UInt8>) throws -> JSONValue { try JSONParser.parse(Array(data)) }

    /// Removes `key` from an object.
    func dropping(_ key: String, _ value: JSONValue) -> JSONValue {
        .object((value.objectFields ?? []).filter { $0.0 != key })
    }

    @Test func demosAndTheRouteSelectTheSame() async throws {
        try await withIndexAndServer { index, base in
            // Queries that are examples of the index (the test split), and new texts.
            let cases: [(cli: [String], http: String)] = [
                (["--policy", "lmbff", "--num-sample", "4", "--seed", "7", "--template", "lmbff"],
                 #""num_sample": 4, "seed": 7, "template": "lmbff""#),
                (["--policy", "mmr", "--k", "1", "--lambda", "0.3", "--template", "*cls**sent_0*_It_was*mask*.*sep+*",
                  "--label-words", #"{"0": "bad", "1": "good"}"#, "--special-tokens", "bert"],
                 #""policy": "mmr", "k": 1, "lambda": 0.3, "template": "*cls**sent_0*_It_was*mask*.*sep+*", "label_words": {"0": "bad", "1": "good"}, "special_tokens": "bert""#),
                (["--policy", "in-context", "--count", "3", "--num-sample", "2", "--seed", "3", "--template", "lmbff", "--placement", "head"],
                 #""policy": "in-context", "count": 3, "num_sample": 2, "seed": 3, "template": "lmbff", "placement": "head""#),
                (["--policy", "topk-dpp", "--k", "2", "--candidate-num", "6", "--template", "lmbff"],
                 #""policy": "topk-dpp", "k": 2, "candidate_num": 6, "template": "lmbff""#),
                (["--policy", "topk-dpp", "--k", "2", "--candidate-num", "5", "--scale-factor", "0.05", "--dpp-mode", "sample", "--seed", "5", "--per-class", "--template", "lmbff"],
                 #""policy": "topk-dpp", "k": 2, "candidate_num": 5, "scale_factor": 0.05, "dpp_mode": "sample", "seed": 5, "per_class": true, "template": "lmbff""#),
                (["--policy", "bm25", "--k", "2", "--template", "lmbff"],
                 #""policy": "bm25", "k": 2, "template": "lmbff""#),
                (["--policy", "bm25", "--all-labels", "--k", "3", "--template", "lmbff"],
                 #""policy": "bm25", "per_class": false, "k": 3, "template": "lmbff""#),
                // Context options: the served model's tokenizer counts the budget; the CLI is given the same folder.
                (["--policy", "balanced", "--count", "3", "--context-order", "similar-last", "--max-similarity", "0.99",
                  "--max-context-tokens", "120", "--tokenizer", Fixtures.url("tiny-bert-max").path, "--template", "lmbff"],
                 #""policy": "balanced", "count": 3, "context_order": "similar-last", "max_similarity": 0.99, "max_context_tokens": 120, "template": "lmbff""#),
            ]
            let dir = try TemporaryFolder.create("exemplar-parity")
            defer { TemporaryFolder.remove(dir) }
            let newTexts = dir.appendingPathComponent("new.jsonl")
            try Data("{\"text\": \"a dull, lifeless mess\"}\n{\"text\": \"warm and wonderful\"}\n".utf8).write(to: newTexts)
            for (options, fields) in cases {
                let lines = try cli.run(["demos", index, "--queries", "test"] + options)
                try #require(lines.status == 0, "\(lines.stderr)")
                let rows = try lines.out.split(separator: "\n").map { try parse($0.utf8) }
                let ids = Array(Set(rows.compactMap { $0["query"]?["id"]?.numberValue.map(Int.init) })).sorted()
                let reply = try await post(base + "/v1/indexes/sst2/demonstrations",
                                           "{\"queries\": [\(ids.map { "{\"id\": \($0)}" }.joined(separator: ", "))], \(fields)}")
                try #require(reply.status == 200, "\(String(decoding: reply.body, as: UTF8.self))")
                let results = try parse(reply.body)["results"]?.arrayValue ?? []
                #expect(results.count == ids.count)
                var fromRoute: [JSONValue] = []
                for result in results {
                    for sample in result["samples"]?.arrayValue ?? [] {
                        fromRoute.append(.object(((sample.objectFields ?? []) + [("query", result["query"]!)]).sorted { $0.0 < $1.0 }))
                    }
                }
                #expect(rows.count == fromRoute.count && !rows.isEmpty, "\(options)")
                #expect(rows == fromRoute, "\(options)")
                #expect(rows.allSatisfy { $0["context"]?.stringValue != nil })

                // New texts: a file for the CLI, text queries over HTTP.
                let cliNew = try cli.run(["demos", index, "--queries", newTexts.path, "--model", tiny.path] + options)
                try #require(cliNew.status == 0, "\(cliNew.stderr)")
                let newRows = try cliNew.out.split(separator: "\n").map { try parse($0.utf8) }
                let newReply = try await post(base + "/v1/indexes/sst2/demonstrations",
                                              "{\"queries\": [{\"text\": \"a dull, lifeless mess\"}, {\"text\": \"warm and wonderful\"}], \(fields)}")
                let newSamples = try (parse(newReply.body)["results"]?.arrayValue ?? []).flatMap { r in
                    (r["samples"]?.arrayValue ?? []).map { dropping("query", $0) }
                }
                #expect(newRows.map { dropping("query", $0) } == newSamples, "\(options)")
                #expect(!newSamples.isEmpty)
            }
        }
    }

    @Test func queryJSONAndSearchPrintTheSameBytes() async throws {
        try await withIndexAndServer { index, base in
            for (options, fields) in [([String](), ""), (["--per-class"], #", "per_class": true"#),
                                      (["--split", "train", "--k", "2"], #", "split": "train", "k": 2"#)] {
                for text in ["a gripping, beautifully acted thriller", "dull"] {
                    let printed = try cli.run(["query", index, text, "--json", "--model", tiny.path] + options)
                    try #require(printed.status == 0, "\(printed.stderr)")
                    let k = options.contains("--k") ? "" : #", "k": 5"#
                    let reply = try await post(base + "/v1/indexes/sst2/search", "{\"text\": \"\(text)\"\(k)\(fields)}")
                    #expect(reply.status == 200)
                    // The response body ends with a newline, as a printed line does.
                    #expect(printed.stdout == reply.body, "\(options) \(text): \(printed.out) vs \(String(decoding: reply.body, as: UTF8.self))")
                }
            }
        }
    }

    @Test func aBadOptionIsRefusedAlikeByBoth() async throws {
        try await withIndexAndServer { index, base in
            // The same limit on both sides: num_sample 1...1000.
            let cliReply = try cli.run(["demos", index, "--queries", "test", "--num-sample", "1001"])
            #expect(cliReply.status == 2 && cliReply.stderr.contains("--num-sample 1001") && cliReply.stderr.contains("1...1000"), "\(cliReply.stderr)")
            let reply = try await post(base + "/v1/indexes/sst2/demonstrations", #"{"id": 0, "num_sample": 1001}"#)
            let error = try parse(reply.body)["error"]
            #expect(reply.status == 400 && error?["field"]?.stringValue == "num_sample")
            #expect(error?["message"]?.stringValue?.contains("1...1000") == true)
            // The template must fit the data's sentences, checked before any selection on both sides.
            let template = "*cls**sent_0**mask**sent_1**sep+*"
            let cliTemplate = try cli.run(["demos", index, "--queries", "test", "--template", template, "--label-words", #"{"0":"a","1":"b"}"#])
            #expect(cliTemplate.status == 2 && cliTemplate.stderr.contains("sent_1"))
            let http = try await post(base + "/v1/indexes/sst2/demonstrations",
                                      "{\"id\": 0, \"template\": \"\(template)\", \"label_words\": {\"0\": \"a\", \"1\": \"b\"}}")
            let httpField = try parse(http.body)["error"]?["field"]?.stringValue
            #expect(http.status == 400 && httpField == "template")
        }
    }
}
