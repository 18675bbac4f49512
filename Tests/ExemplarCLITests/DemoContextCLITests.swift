import ExemplarTestSupport
import Foundation
import Testing

/// `exemplar demos` context options and export formats, and `exemplar evaluate-demos`, on an
/// index of the SST-2 k-shot fixture (4 train, 4 dev, 3 test) built with a tiny real BERT (its tokenizer counts tokens).
@Suite struct DemoContextCLITests {
    let cli = CLIRunner()
    var tiny: String { Fixtures.url("tiny-bert-max").path }

    func buildIndex(in dir: URL) throws -> String {
        let index = dir.appendingPathComponent("sst2").path
        let r = try cli.run(["build", "--data", Fixtures.url("data/k-shot/SST-2/16-42").path, "--task", "SST-2", "--out", index, "--model", tiny])
        #expect(r.status == 0, "\(r.stderr)")
        return index
    }

    func rows(_ r: CLIRunner.Result) throws -> [[String: Any]] {
        try r.out.split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func exportsAndContextOptions() throws {
        let dir = try TemporaryFolder.create("cli")
        defer { TemporaryFolder.remove(dir) }
        let index = try buildIndex(in: dir)
        let common = ["demos", index, "--queries", "dev", "--policy", "balanced", "--count", "3", "--context-order", "similar-last", "--model", tiny]

        // hf-jsonl: one flat row per query, the demonstrations column with support positions, in similar-last order.
        let hf = try rows(cli.run(common + ["--format", "hf-jsonl", "--template", "lmbff"]))
        #expect(hf.count == 4)
        for row in hf {
            #expect(Set(row.keys) == ["context", "demonstrations", "id", "label", "sample", "text"])
            let demos = row["demonstrations"] as? [[String: Any]] ?? []
            let s = demos.compactMap { $0["similarity"] as? Double }
            #expect(demos.count == 3 && s == s.sorted())
            #expect(demos.allSatisfy { ($0["index"] as? Int).map { (0..<4).contains($0) } ?? false })
        }
        // ice-idx: OpenICL's list of lists, the same positions in the same order.
        let ice = try cli.run(common + ["--format", "ice-idx"])
        #expect(ice.status == 0, "\(ice.stderr)")
        let lists = try #require(JSONSerialization.jsonObject(with: ice.stdout) as? [[Int]])
        #expect(lists == hf.map { ($0["demonstrations"] as? [[String: Any]] ?? []).compactMap { $0["index"] as? Int } })
        // Train ids come first in the index, so a support position is the record id.
        #expect(lists == hf.map { ($0["demonstrations"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int } })

        // A token budget keeps fewer, most similar ones; --tokenizer names the counting tokenizer.
        let budget = try cli.run(common + ["--template", "lmbff", "--max-context-tokens", "100", "--tokenizer", tiny])
        #expect(budget.status == 0, "\(budget.stderr)")
        let cut = try rows(budget)
        let full = try rows(cli.run(common + ["--template", "lmbff"]))
        var fewer = 0
        for (a, b) in zip(cut, full) {
            let x = (a["demonstrations"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
            let y = (b["demonstrations"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
            #expect(Array(y.suffix(x.count)) == x, "the least similar (first in similar-last order) go first")
            if x.count < y.count { fewer += 1 }
        }
        #expect(fewer == 3, "the tiny model splits words into many pieces: 100 tokens hold 1, 2, 1 and 3 of the 3")

        // Bad input: exit 2, the option named.
        for (args, named) in [(["--context-order", "backwards"], "--context-order"), (["--max-context-tokens", "60", "--template", "lmbff"], "--max-context-tokens 60: is smaller than the query"),
                              (["--max-similarity", "2"], "--max-similarity 2"), (["--format", "csv"], "--format"),
                              (["--format", "ice-idx", "--text"], "--text or --format")] {
            let r = try cli.run(common + args)
            #expect(r.status == 2 && r.stderr.contains(named), "\(args): \(r.stderr)")
        }
    }

    @Test func evaluateDemosTableJSONAndPNG() throws {
        let dir = try TemporaryFolder.create("cli")
        defer { TemporaryFolder.remove(dir) }
        let index = try buildIndex(in: dir)
        let png = dir.appendingPathComponent("chart.png").path
        let r = try cli.run(["evaluate-demos", index, "--queries", "dev", "--policies", "nearest,balanced,random", "--count", "4",
                             "--json", "--png", png, "--model", tiny])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        let policies = json["policies"] as? [[String: Any]] ?? []
        #expect(policies.compactMap { $0["policy"] as? String } == ["nearest", "balanced", "random"])
        for p in policies {
            for key in ["label_agreement", "knn_vote_accuracy", "coverage", "mean_similarity"] {
                #expect((p[key] as? Double).map { (-1...1).contains($0) } ?? false, "\(key)")
            }
            #expect(p["queries"] as? Int == 4)
        }
        // nearest k=1 and random take one per label: half agree; balanced count 4: the whole support set, two per label.
        #expect(policies[0]["label_agreement"] as? Double == 0.5)
        #expect(policies[1]["demonstrations_per_context"] as? Double == 4)
        #expect(policies[2]["contexts"] as? Int == 4 * 16)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: png)))
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])

        let table = try cli.run(["evaluate-demos", index, "--queries", "test", "--policies", "nearest,mmr", "--model", tiny])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.out.contains("label agreement") && table.out.contains("\nnearest ") && table.out.contains("\nmmr "))

        // Per-policy options: KATE's kNN (in-context, nearest) next to random in-context draws.
        let kate = try cli.run(["evaluate-demos", index, "--queries", "dev", "--policies", "in-context:order=nearest:count=2,in-context:count=2", "--json", "--model", tiny])
        #expect(kate.status == 0, "\(kate.stderr)")
        let both = (try JSONSerialization.jsonObject(with: kate.stdout) as? [String: Any])?["policies"] as? [[String: Any]] ?? []
        #expect(both.compactMap { $0["policy"] as? String } == ["in-context:order=nearest:count=2", "in-context:count=2"])
        #expect(both.first?["demonstrations_per_context"] as? Double == 2)

        for (args, named) in [(["--policies", "nearest,best"], "unknown policy \"best\""), (["--queries", "nope"], "--queries nope"),
                              (["--policies", "nearest:k=two"], "k must be an integer"), (["--policies", "nearest:colour=red"], "is not FIELD=VALUE"),
                              (["--policies", "nearest:context_order=sideways"], "context_order must be one of")] {
            let bad = try cli.run(["evaluate-demos", index, "--queries", "dev", "--model", tiny] + args)
            #expect(bad.status == 2 && bad.stderr.contains(named), "\(args): \(bad.stderr)")
        }
    }
}
