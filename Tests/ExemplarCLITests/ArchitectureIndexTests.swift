import ExemplarTestSupport
import Foundation
import Testing

/// An index through the CLI with a non-BERT encoder (the tiny MPNet: WordPiece text to ids,
/// relative attention bias), from build to query, demos and export-lmbff.
@Suite struct ArchitectureIndexTests {
    let cli = CLIRunner()
    var mpnet: String { Fixtures.url("tiny-mpnet").path }

    @Test func mpnetBuildQueryDemosExport() throws {
        let dir = try TemporaryFolder.create("arch-cli")
        defer { TemporaryFolder.remove(dir) }
        let data = dir.appendingPathComponent("16-42")
        try FileManager.default.copyItem(at: Fixtures.url("data/k-shot/SST-2/16-42"), to: data)
        let index = dir.appendingPathComponent("sst2").path
        let built = try cli.run(["build", "--data", data.path, "--task", "SST-2", "--out", index, "--model", mpnet])
        #expect(built.status == 0, "\(built.stderr)")

        let info = try cli.run(["info", index, "--json"])
        let manifest = (try JSONSerialization.jsonObject(with: info.stdout) as? [String: Any])?["manifest"] as? [String: Any]
        let model = manifest?["model"] as? [String: Any]
        #expect((model?["dimension"] as? Int) == 48, "\(info.out)")

        // A training sentence finds itself first.
        let first = try String(contentsOf: data.appendingPathComponent("train.tsv"), encoding: .utf8)
            .split(separator: "\n")[1].split(separator: "\t")[0]
        let query = try cli.run(["query", index, String(first), "--k", "1", "--json", "--model", mpnet])
        #expect(query.status == 0, "\(query.stderr)")
        let hit = ((try JSONSerialization.jsonObject(with: query.stdout) as? [String: Any])?["results"] as? [[String: Any]])?
            .first?["hits"] as? [[String: Any]]
        #expect(hit?.first?["text"] as? String == String(first) && (hit?.first?["score"] as? Double ?? 0) > 0.9999, "\(query.out)")

        let demos = try cli.run(["demos", index, "--queries", "test", "--num-sample", "2", "--template", "lmbff"])
        #expect(demos.status == 0 && !demos.out.isEmpty, "\(demos.stderr)")

        // export-lmbff's vectors are the index's: selection from the files equals selection from the index.
        let export = try cli.run(["export-lmbff", "--data", data.path, "--task", "SST-2", "--name", "mpnet", "--model", mpnet,
                                  "--cache", dir.appendingPathComponent("cache").path])
        #expect(export.status == 0, "\(export.stderr)")
        let fromFiles = try cli.run(["demos", "--data", data.path, "--task", "SST-2", "--embeddings", "sbert-mpnet",
                                     "--queries", "test", "--num-sample", "2", "--template", "lmbff"])
        #expect(fromFiles.status == 0 && fromFiles.out == demos.out, "\(fromFiles.stderr)")

        // The index refuses another architecture's model.
        let other = try cli.run(["query", index, "x", "--model", Fixtures.url("tiny-bert-max").path])
        #expect(other.status == 2 && other.stderr.contains("was built with model"), "\(other.stderr)")
    }
}
