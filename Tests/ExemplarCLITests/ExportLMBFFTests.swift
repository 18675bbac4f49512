import ExemplarIO
import ExemplarTestSupport
import Foundation
import Testing

/// `exemplar export-lmbff` writes the .npy files LM-BFF's run.py loads, one row per data line.
@Suite struct ExportLMBFFTests {
    let cli = CLIRunner()

    @Test func pairTaskRowsAreTheJoinedSentencesInFileOrder() throws {
        let dir = try TemporaryFolder.create("cli")
        defer { TemporaryFolder.remove(dir) }
        let data = dir.appendingPathComponent("16-42")
        try FileManager.default.copyItem(at: Fixtures.url("data/k-shot/MNLI/16-42"), to: data)
        let tiny = Fixtures.url("tiny-bert-max").path
        let args = ["export-lmbff", "--data", data.path, "--task", "MNLI", "--name", "tiny", "--model", tiny,
                    "--cache", dir.appendingPathComponent("cache").path]
        let first = try cli.run(args)
        #expect(first.status == 0, "\(first.stderr)")
        for split in ["train", "dev_matched", "test_matched"] {
            // The sentence as LM-BFF's get_sbert_embedding.py forms it for MNLI.
            let lines = try String(contentsOf: data.appendingPathComponent("\(split).tsv"), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false).dropFirst().filter { !$0.isEmpty }
            let sentences = lines.map { line -> String in
                let cells = line.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\t", omittingEmptySubsequences: false)
                return cells[8] + " " + cells[9]
            }
            let npy = try Data(contentsOf: data.appendingPathComponent("\(split)_sbert-tiny.npy"))
            let (shape, values) = try #require(NPY.decode([UInt8](npy)))
            #expect(shape == [sentences.count, 48], "\(split)")
            let input = sentences.map { #"{"text": \#(String(decoding: try! JSONEncoder().encode($0), as: UTF8.self))}"# }.joined(separator: "\n")
            let embedded = try cli.run(["embed", "--input-format", "jsonl", "--output-format", "npy", "--output", "-", "--model", tiny],
                                       stdin: Data(input.utf8))
            let (_, expected) = try #require(NPY.decode([UInt8](embedded.stdout)))
            #expect(zip(values, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(split)")
        }
        #expect(first.out.contains("sentences: ") && !first.out.contains(" 0 embedded"), "\(first.out)")
        let second = try cli.run(args)
        #expect(second.status == 0 && second.out.contains(" 0 embedded"), "\(second.out)")

        let badTask = try cli.run(["export-lmbff", "--data", data.path, "--task", "SST-2", "--model", tiny])
        #expect(badTask.status == 2 && badTask.stderr.contains("train.tsv"), "\(badTask.stderr)")
    }
}
