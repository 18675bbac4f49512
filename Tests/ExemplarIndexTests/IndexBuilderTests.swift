import ExemplarEncoder
import ExemplarIndex
import ExemplarStore
import ExemplarTestSupport
import Foundation
import Testing

/// Builds with the real encoder (a tiny committed BERT) into a real LMDB.
@Suite struct IndexBuilderTests {
    func records(_ n: Int) -> [IndexRecord] {
        (0..<n).map { IndexRecord(id: UInt32($0), split: "train", label: $0 % 2 == 0 ? "0" : "1",
                                  textA: "sentence number \($0) is \($0 % 3 == 0 ? "good" : "bad")",
                                  textB: $0 % 4 == 0 ? "and a pair" : nil, line: $0 + 2) }
    }

    @Test func buildRebuildAddAndModelMismatch() throws {
        let folder = try TemporaryFolder.create("build")
        defer { TemporaryFolder.remove(folder) }
        let encoder = try SentenceEncoder(folder: Fixtures.url("tiny-bert-max"))
        var builder = IndexBuilder(encoder: encoder)
        builder.chunkSize = 16
        let store = try IndexStore(folder: folder)

        let first = try builder.build(records: records(60), labels: ["0", "1"], task: nil, into: store)
        #expect(first.embedded == 60 && !first.upToDate)
        let again = try builder.build(records: records(60), labels: ["0", "1"], task: nil, into: store)
        #expect(again.upToDate && again.embedded == 0)
        let more = try builder.build(records: records(70), labels: ["0", "1"], task: nil, into: store)
        #expect(more.embedded == 10 && more.fromCache == 60)

        // Stored vectors are what the encoder gives for each record's text.
        let (stored, vectors) = try store.load(dimension: encoder.dimension)
        #expect(stored == records(70))
        let direct = encoder.encode(stored.map(IndexBuilder.embeddingText), threads: 1)
        for i in [0, 4, 69] {
            let a = vectors[(i * encoder.dimension)..<((i + 1) * encoder.dimension)]
            #expect(zip(a, direct[i]).allSatisfy { abs($0 - $1) < 1e-5 })
        }

        // Another model: refused unless replacing.
        let other = IndexBuilder(encoder: try SentenceEncoder(folder: Fixtures.url("tiny-bert-cls")))
        #expect(throws: IndexError.self) {
            try other.build(records: records(70), labels: ["0", "1"], task: nil, into: store)
        }
        #expect(try store.manifest()?.total == 70)
    }
}
