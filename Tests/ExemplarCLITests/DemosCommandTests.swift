import ExemplarTestSupport
import Foundation
import Testing

/// `exemplar demos` on an index built from LM-BFF's k-shot layout (tiny real BERT, real LMDB).
@Suite struct DemosCommandTests {
    let cli = CLIRunner()
    var tiny: String { Fixtures.url("tiny-bert-max").path }

    func buildIndex(in dir: URL) throws -> String {
        let index = dir.appendingPathComponent("sst2").path
        let r = try cli.run(["build", "--data", Fixtures.url("data/k-shot/SST-2/16-42").path,
                             "--task", "SST-2", "--out", index, "--model", tiny])
        #expect(r.status == 0, "\(r.stderr)")
        return index
    }

    func lines(_ r: CLIRunner.Result) throws -> [[String: Any]] {
        try r.out.split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func lmbffPolicyWithTemplate() throws {
        let dir = try TemporaryFolder.create("cli")
        defer { TemporaryFolder.remove(dir) }
        let index = try buildIndex(in: dir)
        let args = ["demos", index, "--queries", "test", "--num-sample", "4", "--seed", "7", "--template", "lmbff"]
        let r = try cli.run(args)
        #expect(r.status == 0, "\(r.stderr)")
        let out = try lines(r)
        let info = try cli.run(["info", index, "--json"])
        let counts = ((try JSONSerialization.jsonObject(with: info.stdout) as? [String: Any])?["manifest"] as? [String: Any])?["counts_by_split"] as? [String: Int]
        #expect(out.count == (counts?["test"] ?? -1) * 4)
        for line in out {
            let demos = line["demonstrations"] as? [[String: Any]] ?? []
            #expect(demos.map { $0["label"] as? String } == ["0", "1"], "one per label, in label order")
            let query = line["query"] as? [String: Any]
            let context = line["context"] as? String ?? ""
            #expect(context.hasPrefix("<s>" + (query?["text"] as? String ?? "?") + " It was<mask>.</s>"))
            #expect(context.hasSuffix(" It was great.</s>") && context.contains(" It was terrible.</s>"))
        }
        // Deterministic for a seed.
        #expect(try cli.run(args).out == r.out)

        // Train queries never get themselves.
        let train = try lines(cli.run(["demos", index, "--queries", "train", "--policy", "random", "--num-sample", "8"]))
        for line in train {
            let id = (line["query"] as? [String: Any])?["id"] as? Int
            #expect(!(line["demonstrations"] as? [[String: Any]] ?? []).contains { $0["id"] as? Int == id })
        }

        // Nearest: k per label, most similar first, with segments.
        let nearest = try lines(cli.run(["demos", index, "--queries", "dev", "--policy", "nearest", "--k", "2", "--segments",
                                         "--template", "*cls**sent_0*_It_was*mask*.*sep+*", "--label-words", #"{"0": "bad", "1": "good"}"#]))
        for line in nearest {
            let demos = line["demonstrations"] as? [[String: Any]] ?? []
            #expect(demos.map { $0["label"] as? String } == ["0", "0", "1", "1"])
            let s = demos.map { $0["similarity"] as? Double ?? 0 }
            #expect(s[0] >= s[1] && s[2] >= s[3])
            let roles = (line["segments"] as? [[String: Any]] ?? []).map { $0["role"] as? String ?? "" }
            #expect(roles.first == "cls" && roles.contains("mask") && roles.contains("demo_3_sentence_0"))
        }
    }

    /// Selection on LM-BFF's own files (data folder + SPLIT_NAME.npy) equals selection on an index
    /// of the same folder with the same vectors.
    @Test func lmbffEmbeddingFilesGiveTheSameSelection() throws {
        let dir = try TemporaryFolder.create("cli")
        defer { TemporaryFolder.remove(dir) }
        let data = dir.appendingPathComponent("16-42")
        try FileManager.default.copyItem(at: Fixtures.url("data/k-shot/SST-2/16-42"), to: data)
        let export = try cli.run(["export-lmbff", "--data", data.path, "--task", "SST-2", "--name", "tiny", "--model", tiny,
                                  "--cache", dir.appendingPathComponent("cache").path])
        #expect(export.status == 0, "\(export.stderr)")
        let index = try buildIndex(in: dir)
        let options = ["--queries", "test", "--num-sample", "3", "--template", "lmbff"]
        let fromIndex = try cli.run(["demos", index] + options)
        let fromFiles = try cli.run(["demos", "--data", data.path, "--task", "SST-2", "--embeddings", "sbert-tiny"] + options)
        #expect(fromIndex.status == 0 && fromFiles.status == 0, "\(fromIndex.stderr)\(fromFiles.stderr)")
        #expect(!fromFiles.out.isEmpty && fromFiles.out == fromIndex.out)

        // A file whose rows do not match its data file is named.
        try Data(Array(try Data(contentsOf: data.appendingPathComponent("dev_sbert-tiny.npy")).prefix(128))).write(to: data.appendingPathComponent("dev_sbert-tiny.npy"))
        let bad = try cli.run(["demos", "--data", data.path, "--task", "SST-2", "--embeddings", "sbert-tiny"] + options)
        #expect(bad.status == 2 && bad.stderr.contains("dev_sbert-tiny.npy"), "\(bad.stderr)")
    }

    @Test func badOptionsNameTheCulprit() throws {
        let dir = try TemporaryFolder.create("cli")
        defer { TemporaryFolder.remove(dir) }
        let index = try buildIndex(in: dir)
        let cases: [([String], String)] = [
            (["--filter-rate", "0"], "filter rate"),
            (["--filter-rate", "1.5"], "filter rate"),
            (["--template", "*cls**sent_0**sent_3**mask*", "--label-words", #"{"0": "bad", "1": "good"}"#], "sent_3"),
            (["--template", "*cls**sent_0**mask**bogus*", "--label-words", #"{"0": "bad", "1": "good"}"#], "bogus"),
            (["--template", "*cls**sent_0**mask*", "--label-words", #"{"0": "bad"}"#], "1"),
            (["--template", "*cls**sent_0**mask*", "--label-words", #"{"0": "bad", "1": "good", "2": "okay"}"#], "2"),
            (["--policy", "mmr", "--lambda", "2"], "lambda"),
            (["--support", "nope"], "--support nope"),
        ]
        for (extra, mention) in cases {
            let r = try cli.run(["demos", index, "--queries", "test"] + extra)
            #expect(r.status == 2, "\(extra): \(r.stderr)")
            #expect(r.stderr.contains(mention), "\(extra): \(r.stderr)")
            #expect(r.out.isEmpty)
        }
        let missing = try cli.run(["demos", index, "--queries", "nowhere.txt"])
        #expect(missing.status == 2 && missing.stderr.contains("neither a split"))
    }

    @Test func queriesThatAreBothASplitAndAFileAreRefused() throws {
        let dir = try TemporaryFolder.create("exemplar-demos")
        defer { TemporaryFolder.remove(dir) }
        let index = try buildIndex(in: dir)
        try Data("a brand new sentence\n".utf8).write(to: dir.appendingPathComponent("test"))
        let both = try cli.run(["demos", index, "--queries", "test", "--model", tiny], directory: dir)
        #expect(both.status == 2 && both.stderr.contains("both a split") && both.stderr.contains("./test"), "\(both.stderr)")
        #expect(both.out.isEmpty)
        // ./test is the file: one new query, 16 samples.
        let file = try cli.run(["demos", index, "--queries", "./test", "--model", tiny], directory: dir)
        #expect(file.status == 0, "\(file.stderr)")
        let rows = try lines(file)
        #expect(rows.count == 16 && rows.allSatisfy { ($0["query"] as? [String: Any])?["text"] as? String == "a brand new sentence" })
        // Without the file, test is the split.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("test"))
        let split = try cli.run(["demos", index, "--queries", "test"], directory: dir)
        let splitRows = try lines(split)
        #expect(split.status == 0 && !splitRows.isEmpty, "\(split.stderr)")
    }
}
