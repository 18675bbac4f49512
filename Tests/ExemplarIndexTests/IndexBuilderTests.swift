import ExemplarEncoder
import ExemplarIndex
import ExemplarLexical
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

    /// An int8 index: the manifest records the precision, its cache keys the vectors apart from
    /// fp32 ones, an fp32 rebuild is refused unless replacing, and additions must match it.
    @Test func int8IndexRecordsItsPrecision() throws {
        let folder = try TemporaryFolder.create("build-int8")
        defer { TemporaryFolder.remove(folder) }
        let int8 = try SentenceEncoder(folder: Fixtures.url("tiny-bert-max"), precision: .int8)
        let fp32 = try SentenceEncoder(folder: Fixtures.url("tiny-bert-max"))
        let store = try IndexStore(folder: folder)
        _ = try IndexBuilder(encoder: int8).build(records: records(20), labels: ["0", "1"], task: nil, into: store)
        let manifest = try #require(try store.manifest())
        #expect(manifest.model.precision == int8.precision.rawValue)
        #expect(manifest.model.sameModel(as: try fp32.identity()))
        guard int8.precision == .int8 else { return }  // a CPU without AVX-512 VNNI embeds in fp32
        #expect(try int8.identity().cacheHash != fp32.identity().cacheHash)
        #expect(throws: IndexError.self) {
            try IndexBuilder(encoder: fp32).build(records: records(20), labels: ["0", "1"], task: nil, into: store)
        }
        #expect(throws: IndexError.self) { try IndexEmbedding.checkDocumentPrecision(fp32, manifest: manifest, path: "idx") }
        try IndexEmbedding.checkDocumentPrecision(int8, manifest: manifest, path: "idx")
        // Replacing re-embeds every record in fp32 (none come from the int8 cache entries).
        let replaced = try IndexBuilder(encoder: fp32).build(records: records(20), labels: ["0", "1"], task: nil, into: store, replaceModel: true)
        #expect(replaced.embedded == 20)
        #expect(try store.manifest()?.model.precision == "fp32")
    }

    /// Postings tokenized a chunk at a time are those of the whole corpus at once.
    @Test func chunkedPostingsEqualWholeCorpus() {
        let all = records(23)
        let whole = LexicalIndex(documents: IndexBuilder.tokenize(all.map(IndexBuilder.embeddingText)))
        for chunk in [1, 4, 23, 100] {
            #expect(IndexBuilder.postings(all, chunk: chunk) == whole, "chunk \(chunk)")
        }
        #expect(whole.documentCount == 23 && whole.termID("good") != nil)
    }
}
