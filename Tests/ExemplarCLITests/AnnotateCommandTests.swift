import ExemplarTestSupport
import Foundation
import Testing

/// `exemplar annotate` on an index built from LM-BFF's k-shot layout (tiny real BERT, real LMDB),
/// and `exemplar demos --policy topk-dpp` on the OpenICL fixture (no model).
@Suite struct AnnotateCommandTests {
    let cli = CLIRunner()
    var tiny: String { Fixtures.url("tiny-bert-max").path }
    var data: URL { Fixtures.url("data/k-shot/SST-2/16-42") }

    func buildIndex(in dir: URL) throws -> String {
        let index = dir.appendingPathComponent("sst2").path
        let r = try cli.run(["build", "--data", data.path, "--task", "SST-2", "--out", index, "--model", tiny])
        #expect(r.status == 0, "\(r.stderr)")
        return index
    }

    @Test func writesTheChosenRowsInTheDataFilesLayout() throws {
        let dir = try TemporaryFolder.create("annotate")
        defer { TemporaryFolder.remove(dir) }
        let index = try buildIndex(in: dir)
        let out = dir.appendingPathComponent("to-label.tsv").path
        let r = try cli.run(["annotate", index, "--budget", "3", "--seed", "13", "--output", out, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let written = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let train = try String(contentsOf: data.appendingPathComponent("train.tsv"), encoding: .utf8).split(separator: "\n")
        #expect(written.first == train.first, "the header comes first")
        #expect(written.count == 5 && written.last == "", "header, 3 rows, final newline")
        let summary = try #require(JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        let selected = try #require(summary["selected"] as? [[String: Any]])
        #expect(selected.count == 3 && summary["method"] as? String == "votek")
        for (row, s) in zip(written.dropFirst(), selected) {
            let line = try #require(s["line"] as? Int)
            #expect(row == train[line - 1], "the row is the file's line \(line) as it is")
        }
        // The same selection from the data folder embedded with the same model.
        let again = try cli.run(["annotate", "--data", data.path, "--task", "SST-2", "--budget", "3", "--seed", "13", "--json",
                                 "--model", tiny, "--cache", dir.appendingPathComponent("cache").path])
        #expect(again.status == 0, "\(again.stderr)")
        let positions = { (d: Data) in ((try? JSONSerialization.jsonObject(with: d)) as? [String: Any])?["selected"] as? [[String: Any]] }
        #expect(positions(again.stdout)?.map { $0["line"] as? Int } == selected.map { $0["line"] as? Int })
        for method in ["random", "kmeans"] {
            let m = try cli.run(["annotate", index, "--budget", "2", "--method", method])
            #expect(m.status == 0, "\(m.stderr)")
            #expect(m.out.split(separator: "\n").count == 3)
        }
    }

    @Test func badInputNamesTheOption() throws {
        let dir = try TemporaryFolder.create("annotate")
        defer { TemporaryFolder.remove(dir) }
        let index = try buildIndex(in: dir)
        for (args, option) in [(["--budget", "5"], "--budget 5 must be between 1 and the pool's size"), (["--budget", "0"], "--budget 0"), ([], "--budget N is required"),
                               (["--budget", "3", "--method", "best"], "--method"), (["--budget", "3", "--overlap-threshold", "2"], "--overlap-threshold"),
                               (["--budget", "3", "--split", "nope"], "--split nope")] {
            let r = try cli.run(["annotate", index] + args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.contains(option), "\(args): \(r.stderr)")
        }
    }

    @Test func demosTopKDPPOnOpenICLsFixture() throws {
        let folder = Fixtures.url("openicl/SST-2-16-42")
        let expected = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("expected.json"))) as? [String: Any])
        let r = try cli.run(["demos", "--data", folder.path, "--task", "SST-2", "--embeddings", "sbert-check", "--queries", "test",
                             "--policy", "topk-dpp", "--k", "4", "--candidate-num", "16"])
        #expect(r.status == 0, "\(r.stderr)")
        let ids = try r.out.split(separator: "\n").map { line in
            try #require((JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["demonstrations"] as? [[String: Any]]).map { $0["id"] as? Int }
        }
        #expect(ids == (expected["dpp_map"] as? [[Int]])?.map { $0.map(Optional.some) })
        let bad = try cli.run(["demos", "--data", folder.path, "--task", "SST-2", "--embeddings", "sbert-check", "--queries", "test",
                               "--policy", "topk-dpp", "--k", "4", "--candidate-num", "2"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--candidate-num 2: must be at least k (4)"), "\(bad.stderr)")
    }
}
