import ExemplarIndex
import ExemplarStore
import ExemplarTestSupport
import Foundation
import Testing

/// `exemplar build`, `query` and `info` as a user runs them, on a tiny real BERT and real LMDB.
@Suite struct IndexCommandTests {
    let cli = CLIRunner()
    var tiny: String { Fixtures.url("tiny-bert-max").path }

    /// A JSON Lines dataset of `n` distinct sentences of varied length, labels a/b/c.
    @discardableResult
    func writeDataset(_ url: URL, n: Int, from: Int = 0) throws -> [String] {
        var texts: [String] = []
        let words = ["good", "bad", "film", "plot", "actors", "music", "slow", "funny", "dull", "great"]
        var out = ""
        for i in from..<(from + n) {
            let text = "sentence \(i) " + (0...(i % 17)).map { words[($0 * 7 + i) % words.count] }.joined(separator: " ")
            texts.append(text)
            out += #"{"text": "\#(text)", "label": "\#(["a", "b", "c"][i % 3])"}"# + "\n"
        }
        try Data(out.utf8).write(to: url)
        return texts
    }

    @Test func buildQueryInfo() throws {
        let dir = try TemporaryFolder.create("cli")
        defer { TemporaryFolder.remove(dir) }
        let data = dir.appendingPathComponent("data.jsonl")
        let texts = try writeDataset(data, n: 40)
        let index = dir.appendingPathComponent("idx").path

        let built = try cli.run(["build", "--data", data.path, "--out", index, "--model", tiny, "--json"])
        #expect(built.status == 0, "\(built.stderr)")
        let report = try JSONSerialization.jsonObject(with: built.stdout) as? [String: Any]
        #expect(report?["records"] as? Int == 40 && report?["embedded"] as? Int == 40)
        // index.json was written with the data path relative to the index folder.
        let definition = try IndexDefinition.load(folder: URL(fileURLWithPath: index))
        #expect(definition.data == "../data.jsonl" && definition.format == .jsonl)

        let again = try cli.run(["build", index, "--model", tiny])
        #expect(again.status == 0 && again.out.contains("up to date"), "\(again.out)\(again.stderr)")

        let query = try cli.run(["query", index, "sentence 7 funny", "sentence 8 dull film", "--per-class", "--k", "2",
                                 "--json", "--model", tiny])
        #expect(query.status == 0, "\(query.stderr)")
        let lines = query.out.split(separator: "\n")
        #expect(lines.count == 2)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let results = object?["results"] as? [[String: Any]] ?? []
            #expect(results.map { $0["label"] as? String } == ["a", "b", "c"])
            #expect(results.allSatisfy { ($0["hits"] as? [[String: Any]])?.count == 2 })
            for group in results {
                for hit in group["hits"] as? [[String: Any]] ?? [] { #expect(hit["label"] as? String == group["label"] as? String) }
            }
        }
        // The best hit for a text in the index is that text itself.
        let exact = try cli.run(["query", index, texts[5], "--k", "1", "--json", "--model", tiny])
        let hit = ((try JSONSerialization.jsonObject(with: exact.stdout) as? [String: Any])?["results"] as? [[String: Any]])?
            .first?["hits"] as? [[String: Any]]
        #expect(hit?.first?["id"] as? Int == 5, "\(exact.out)")

        let table = try cli.run(["query", index, "funny music", "--label", "b", "--k", "3", "--model", tiny])
        #expect(table.status == 0 && table.out.contains("query: funny music") && table.out.contains("[b]"))
        #expect(!table.out.contains("[a]") && !table.out.contains("[c]"))

        let info = try cli.run(["info", index])
        #expect(info.status == 0 && info.out.contains("records:    40") && info.out.contains("a 14, b 13, c 13"), "\(info.out)")
        let infoJSON = try cli.run(["info", index, "--json"])
        let manifest = (try JSONSerialization.jsonObject(with: infoJSON.stdout) as? [String: Any])?["manifest"] as? [String: Any]
        #expect(manifest?["total"] as? Int == 40)

        // Wrong model, unknown label, not an index: clear errors, exit 2.
        let otherModel = try cli.run(["query", index, "x", "--model", Fixtures.url("tiny-bert-cls").path])
        #expect(otherModel.status == 2 && otherModel.stderr.contains("was built with model"))
        let badLabel = try cli.run(["query", index, "x", "--label", "z", "--model", tiny])
        #expect(badLabel.status == 2 && badLabel.stderr.contains("labels: a, b, c"))
        let notIndex = try cli.run(["info", dir.path])
        #expect(notIndex.status == 2 && notIndex.stderr.contains("not an index"))
    }

    /// Examples the service deleted online are gone for `query` and `demos` too.
    @Test func onlineDeletionsAreHonouredByTheCLI() throws {
        let dir = try TemporaryFolder.create("cli")
        defer { TemporaryFolder.remove(dir) }
        let data = dir.appendingPathComponent("data.jsonl")
        let texts = try writeDataset(data, n: 40)
        let index = dir.appendingPathComponent("idx").path
        #expect(try cli.run(["build", "--data", data.path, "--out", index, "--model", tiny]).status == 0)
        let online = try OnlineIndex(folder: URL(fileURLWithPath: index))
        #expect(try online.delete(5))

        let r = try cli.run(["query", index, texts[5], "--k", "3", "--json", "--model", tiny])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.out.contains(#""id":5,"#), "\(r.out)")
        let demos = try cli.run(["demos", index, "--queries", "train", "--policy", "nearest", "--k", "2"])
        #expect(demos.status == 0, "\(demos.stderr)")
        #expect(!demos.out.contains(#""id":5,"#))
        #expect(demos.out.split(separator: "\n").count == 39)
    }

    @Test func badDataNamesFileAndLineAndKeepsTheIndex() throws {
        let dir = try TemporaryFolder.create("cli")
        defer { TemporaryFolder.remove(dir) }
        let data = dir.appendingPathComponent("train.tsv")
        let good = "sentence\tlabel\na fine film .\t1\na dull film .\t0\n"
        try Data(good.utf8).write(to: data)
        let index = dir.appendingPathComponent("idx").path
        let first = try cli.run(["build", "--data", data.path, "--task", "SST-2", "--out", index, "--model", tiny])
        #expect(first.status == 0, "\(first.stderr)")

        let bad: [(String, String)] = [
            (good + "three\tcolumns\there\n", "train.tsv:4"),
            (good + "an unknown label\t7\n", "train.tsv:4"),
            (good + " \t1\n", "train.tsv:4"),
            (good + "bad utf8 \u{FF}\t1\n", ""),
            ("label,sentence\n1,a csv file\n", "train.tsv:1"),
        ]
        for (content, position) in bad {
            var bytes = Data(content.utf8)
            if content.contains("bad utf8") { bytes = Data(good.utf8) + Data([0x62, 0xFF, 0x09, 0x31, 0x0A]) }
            try bytes.write(to: data)
            let r = try cli.run(["build", index, "--model", tiny])
            #expect(r.status == 2, "\(content): \(r.stderr)")
            #expect(r.stderr.contains(position.isEmpty ? "train.tsv:4" : position), "\(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "one-line error: \(r.stderr)")
            let info = try cli.run(["info", index])
            #expect(info.out.contains("records:    2"), "the committed index is intact: \(info.out)")
        }
        try Data((good + "an unknown label\t7\nanother good one .\t1\n").utf8).write(to: data)
        let skipping = try cli.run(["build", index, "--model", tiny, "--skip-bad-rows"])
        #expect(skipping.status == 0 && skipping.out.contains("skipped 1 bad rows") && skipping.stderr.contains("train.tsv:4"))
        #expect(try cli.run(["info", index]).out.contains("records:    3"))

        try FileManager.default.removeItem(at: data)
        let missing = try cli.run(["build", index, "--model", tiny])
        #expect(missing.status == 2 && missing.stderr.contains("train.tsv") && missing.stderr.contains("no such file"))
    }
}
