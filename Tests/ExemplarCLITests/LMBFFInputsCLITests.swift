import ExemplarTestSupport
import Foundation
import Testing

/// `exemplar demos` with LM-BFF's training-input options, against the ids LM-BFF's run.py built
/// (Tests/Fixtures/lmbff-ids, scripts/make-lmbff-ids-fixtures.py) for SST-2 16-13 with the BPE tokenizer.
@Suite struct LMBFFInputsCLITests {
    let cli = CLIRunner()

    /// LM-BFF's data folder: the fixture's splits and its float16 vectors as float32 `{split}_sbert-minilm.npy`.
    func dataFolder(in dir: URL) throws -> String {
        let data = dir.appendingPathComponent("SST-2-13")
        try FileManager.default.copyItem(at: Fixtures.url("lmbff-ids/data/SST-2/16-13"), to: data)
        for split in ["train", "dev", "test"] {
            var bytes = [UInt8](try Data(contentsOf: Fixtures.url("demos/SST-2-13-\(split).npy")))
            let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
            #expect(header.contains("'<f2'"))
            let start = 10 + headerLength
            var values: [UInt8] = []
            for i in stride(from: start, to: bytes.count, by: 2) {
                let f = Float(Float16(bitPattern: UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8))
                withUnsafeBytes(of: f.bitPattern.littleEndian) { values += $0 }
            }
            var newHeader = header.replacingOccurrences(of: "'<f2'", with: "'<f4'").trimmingCharacters(in: .whitespacesAndNewlines)
            while (10 + newHeader.utf8.count + 1) % 64 != 0 { newHeader += " " }
            newHeader += "\n"
            bytes = Array(bytes[0..<8]) + [UInt8(newHeader.utf8.count & 0xFF), UInt8(newHeader.utf8.count >> 8)] + Array(newHeader.utf8) + values
            try Data(bytes).write(to: data.appendingPathComponent("\(split)_sbert-minilm.npy"))
        }
        return data.path
    }

    func rows(_ r: CLIRunner.Result) throws -> [[String: Any]] {
        try r.out.split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func devThenTestAsRunPyBuildsThem() throws {
        let dir = try TemporaryFolder.create("lmbff-cli")
        defer { TemporaryFolder.remove(dir) }
        let data = try dataFolder(in: dir)
        let fixture = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("lmbff-ids/SST-2-13-bpe.json"))) as? [String: Any])
        let splits = try #require(fixture["splits"] as? [String: [String: Any]])
        let base = ["demos", "--data", data, "--task", "SST-2", "--embeddings", "sbert-minilm", "--lmbff-task", "SST-2",
                    "--tokenizer", Fixtures.url("lmbff-ids/bpe/tokenizer.json").path, "--seed", "13", "--ids", "--format", "hf-jsonl"]
        let r = try cli.run(base + ["--queries", "dev,test", "--sampling", "lmbff"])
        #expect(r.status == 0, "\(r.stderr)")
        let out = try rows(r)
        #expect(out.count == (32 + 40) * 16)
        var offset = 0
        for split in ["dev", "test"] {
            let expected = try #require(splits[split])
            let n = try #require(expected["queries"] as? Int)
            let demos = try #require(expected["demos"] as? [[Int]])
            for (index, rows) in demos.enumerated() {
                let (s, q) = index.quotientAndRemainder(dividingBy: n)
                let row = out[offset + q * 16 + s]
                let indices = (row["demonstrations"] as? [[String: Any]])?.compactMap { $0["index"] as? Int }
                #expect(indices == rows, "\(split) sample \(s) query \(q)")
                #expect(row["sample"] as? Int == s)
            }
            for context in try #require(expected["contexts"] as? [[String: Any]]) {
                let q = try #require(context["query"] as? Int), s = try #require(context["sample"] as? Int)
                let row = out[offset + q * 16 + s]
                let ids = try #require(context["input_ids"] as? String).split(separator: " ").map { Int($0)! }
                let ours = try #require(row["input_ids"] as? [Int]), mask = try #require(row["attention_mask"] as? [Int])
                #expect(Array(ours.prefix(mask.reduce(0, +))) == ids)
                #expect(ours.count == 128 && mask.count == 128)
                #expect(row["mask_pos"] as? [Int] == [context["mask_pos"] as? Int ?? -1])
                #expect(row["label_word_list"] as? [Int] == fixture["label_word_ids"] as? [Int])
                #expect(row["token_type_ids"] == nil)  // RoBERTa-style BPE: none
                #expect(row["labels"] as? Int == Int(row["label"] as? String ?? ""))
            }
            offset += n * 16
        }
        // A test-only run starts the stream at the seed: other draws than after dev, as run.py without --do_eval.
        let testOnly = try rows(try cli.run(base + ["--queries", "test", "--sampling", "lmbff"]))
        #expect(testOnly.count == 40 * 16)
        let after = out[(32 * 16)...].map { ($0["demonstrations"] as? [[String: Any]])?.compactMap { $0["index"] as? Int } ?? [] }
        #expect(testOnly.map { ($0["demonstrations"] as? [[String: Any]])?.compactMap { $0["index"] as? Int } ?? [] } != Array(after))
        // --limit shortens the output only: the draws are those of the full run.
        let limited = try rows(try cli.run(base + ["--queries", "dev,test", "--sampling", "lmbff", "--limit", "2"]))
        #expect(limited.count == 2 * 16)
        #expect(limited.map { $0["input_ids"] as? [Int] ?? [] } == out.prefix(32).map { $0["input_ids"] as? [Int] ?? [] })
    }

    @Test func clearErrors() throws {
        let dir = try TemporaryFolder.create("lmbff-cli")
        defer { TemporaryFolder.remove(dir) }
        let data = try dataFolder(in: dir)
        let base = ["demos", "--data", data, "--task", "SST-2", "--embeddings", "sbert-minilm", "--queries", "dev"]
        let bpe = Fixtures.url("lmbff-ids/bpe/tokenizer.json").path
        let limits = try cli.run(base + ["--template", "lmbff", "--first-sent-limit", "20"])
        #expect(limits.status == 2)
        #expect(limits.stderr.contains("--first-sent-limit") && limits.stderr.contains("tokenizer"), "\(limits.stderr)")
        let special = try cli.run(base + ["--lmbff-task", "SST-2", "--tokenizer", bpe, "--special-tokens", "bert"])
        #expect(special.status == 2)
        #expect(special.stderr.contains("--special-tokens") && special.stderr.contains("[CLS]"), "\(special.stderr)")
        let sampling = try cli.run(base + ["--lmbff-task", "SST-2", "--tokenizer", bpe, "--sampling", "lmbff", "--policy", "mmr"])
        #expect(sampling.status == 2)
        #expect(sampling.stderr.contains("--sampling") && sampling.stderr.contains("mmr"), "\(sampling.stderr)")
        let task = try cli.run(base + ["--lmbff-task", "sst-5", "--tokenizer", bpe])
        #expect(task.status == 2)
        #expect(task.stderr.contains("--lmbff-task"), "\(task.stderr)")
        let missing = try cli.run(base + ["--lmbff-task", "SST-2", "--tokenizer", dir.appendingPathComponent("none").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--tokenizer"), "\(missing.stderr)")
    }
}
