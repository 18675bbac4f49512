import ExemplarEncoder
import ExemplarIndex
import ExemplarLexical
@testable import ExemplarStore
import ExemplarTestSupport
import Foundation
import Testing

/// Postings built with the vectors, kept by online additions, searched by BM25 and hybrid.
@Suite struct LexicalSearchTests {
    let texts = ["A gripping thriller.", "A dull, dull mess. Avoid it.", "The thriller can't hold up.",
                 "Mr. Smith's thriller is gripping!", "Nothing here", "a mess of a film"]

    func records(_ texts: [String], split: String = "train", from: Int = 0) -> [IndexRecord] {
        texts.enumerated().map { i, t in
            IndexRecord(id: UInt32(from + i), split: split, label: i % 2 == 0 ? "pos" : "neg", textA: t, textB: nil, line: i + 1)
        }
    }

    @Test func buildStoresPostingsAndSearchRanksByBM25() throws {
        let folder = try TemporaryFolder.create("lexical")
        defer { TemporaryFolder.remove(folder) }
        let encoder = try SentenceEncoder(folder: Fixtures.url("tiny-bert-max"))
        let store = try IndexFolder.openStore(folder, create: true)
        let all = records(texts) + records(["gripping mess"], split: "test", from: texts.count)
        _ = try IndexBuilder(encoder: encoder).build(records: all, labels: ["pos", "neg"], task: nil, into: store)
        #expect(try store.manifest()?.lexical == .init(tokenizer: WordTokenizer.name, documents: 7, terms: IndexBuilder.postings(all).terms.count))
        let index = try LoadedIndex.open(folder, store: store)
        #expect(try index.lexical == IndexBuilder.postings(all))

        // The train corpus, scored as BM25Okapi over its own tokens; ranked by score, ties by id.
        let search = try LexicalSearch(index: index, split: "train")
        let reference = BM25Okapi(corpus: texts.map(WordTokenizer().tokenize))
        let query = "a gripping thriller"
        let expected = reference.scores(WordTokenizer().tokenize(query))
        #expect(search.scores(text: query, vector: nil, mode: .bm25) == expected)
        let hits = search.search(text: query, mode: .bm25, k: 6, perClass: false, filter: index.filter(split: "train"))[0].hits
        let order = (0..<texts.count).sorted { expected[$0] != expected[$1] ? expected[$0] > expected[$1] : $0 < $1 }
        #expect(hits.map { Int($0.id) } == order)
        let perClass = search.search(text: query, mode: .bm25, k: 1, perClass: true, filter: index.filter(split: "train"))
        #expect(perClass.map(\.label) == ["pos", "neg"] && perClass.allSatisfy { $0.hits.count == 1 })

        // Hybrid with weight 1 ranks as min-max-scaled BM25; weight 0 as cosine.
        let vector = encoder.encode([query], threads: 1)[0]
        let dense = index.exact.search(Array(vector), k: 6, filter: index.filter(split: "train"))
        let cosineOnly = search.search(text: query, vector: Array(vector), mode: .hybrid, weight: 0, k: 6, perClass: false,
                                       filter: index.filter(split: "train"))[0].hits
        #expect(cosineOnly.map(\.id) == dense.map(\.id))
        let lexicalOnly = search.search(text: query, vector: Array(vector), mode: .hybrid, weight: 1, k: 6, perClass: false,
                                        filter: index.filter(split: "train"))[0].hits
        #expect(lexicalOnly.map { Int($0.id) } == order)
    }

    @Test func onlineAdditionsExtendThePostingsAndOldIndexesAskForABuild() throws {
        let folder = try TemporaryFolder.create("lexical-online")
        defer { TemporaryFolder.remove(folder) }
        let encoder = try SentenceEncoder(folder: Fixtures.url("tiny-bert-max"))
        do {
            let store = try IndexFolder.openStore(folder, create: true)
            _ = try IndexBuilder(encoder: encoder).build(records: records(texts), labels: ["pos", "neg"], task: nil, into: store)
        }
        let added = ["zebra crossing thriller", "zebra"]
        let ids: [UInt32], served: LexicalIndex?
        do {
            let online = try OnlineIndex(folder: folder)
            let vectors = encoder.encode(added, threads: 1)
            ids = try online.add(added.map { .init(split: "train", label: "pos", textA: $0) },
                                 vectors: (0..<added.count).map { Array(vectors[$0]) })
            #expect(try online.delete(0))
            served = try online.snapshot.index.lexical
        }
        let store = try IndexFolder.openStore(folder, create: false)
        let reopened = try LoadedIndex.open(folder, store: store)
        #expect(try reopened.lexical == IndexBuilder.postings(reopened.records))
        let search = try LexicalSearch(index: reopened, split: "train")
        #expect(!search.corpus.contains(0) && search.corpus.count == texts.count + 1)
        let top = search.search(text: "zebra", mode: .bm25, k: 2, perClass: false, filter: reopened.filter(split: "train"))[0].hits
        #expect(Set(top.map(\.id)) == Set(ids))
        #expect(try served == reopened.lexical)
        #expect(try store.verifyLexical(records: reopened.records.count, expected: reopened.manifest.lexical?.documents).isEmpty)

        // An index whose manifest has no postings (an older version's) is refused by BM25 with
        // the command that adds them, and the next build adds them without embedding anything.
        var manifest = try #require(try store.manifest())
        manifest.lexical = nil
        let (stored, vectors) = try store.load(dimension: manifest.model.dimension)
        try store.commit(records: stored, vectors: vectors, keys: stored.map { IndexStore.cacheKey(modelHash: manifest.model.cacheHash, text: IndexBuilder.embeddingText($0)) },
                         manifest: manifest)
        let old = try LoadedIndex.open(folder, store: store)
        #expect(try old.lexical == nil)
        #expect { try LexicalSearch(index: old, split: nil) } throws: { "\($0)".contains("exemplar build") }
        let rebuilt = try IndexBuilder(encoder: encoder).build(records: records(texts), labels: ["pos", "neg"], task: nil, into: store)
        #expect(rebuilt.embedded == 0 && !rebuilt.upToDate)
        #expect(try LoadedIndex.open(folder, store: store).lexical != nil)
    }

    /// An addition to postings not read yet looks its tokens up in the store's term map and
    /// writes what it adds; the result equals the postings of a build over the same records, and
    /// equals an addition to postings already read. A snapshot from before the addition still
    /// reads its own postings; a store without a full term map (an older build's) reads them.
    @Test func additionsToUnreadPostingsEqualAdditionsToReadOnes() throws {
        let encoder = try SentenceEncoder(folder: Fixtures.url("tiny-bert-max"))
        let long = String(repeating: "x", count: 600)
        let added = ["zebra crossing thriller zebra", "\(long) gripping", "nothing new here", "\(long) zebra"]
        let embeddings = encoder.encode(added, threads: 1)
        let vectors = (0..<added.count).map { Array(embeddings[$0]) }
        let examples = added.map { OnlineIndex.NewExample(split: "train", label: "pos", textA: $0) }
        var results: [LexicalIndex?] = []
        for variant in ["unread", "read", "no term map"] {
            let folder = try TemporaryFolder.create("lexical-unread")
            defer { TemporaryFolder.remove(folder) }
            do {
                let store = try IndexFolder.openStore(folder, create: true)
                _ = try IndexBuilder(encoder: encoder).build(records: records(texts), labels: ["pos", "neg"], task: nil, into: store)
                #expect(try store.canAppendPostingsUnread())
                if variant == "no term map" {
                    try store.env.write { txn throws(StoreError) in try txn.clear(IndexStore.termsDatabase) }
                    #expect(try !store.canAppendPostingsUnread())
                }
            }
            let online = try OnlineIndex(folder: folder)
            let before = online.snapshot
            if variant == "read" { _ = try before.index.lexical }
            _ = try online.add(Array(examples[..<2]), vectors: Array(vectors[..<2]))
            _ = try online.add(Array(examples[2...]), vectors: Array(vectors[2...]))
            let served = try online.snapshot.index.lexical
            #expect(try before.index.lexical == IndexBuilder.postings(records(texts)))
            let store = try IndexFolder.openStore(folder, create: false)
            let reopened = try LoadedIndex.open(folder, store: store)
            #expect(try reopened.lexical == IndexBuilder.postings(reopened.records))
            #expect(try served == reopened.lexical)
            #expect(reopened.manifest.lexical?.terms == served?.terms.count)
            #expect(try store.verifyLexical(records: reopened.records.count, expected: reopened.manifest.lexical?.documents).isEmpty)
            let top = try LexicalSearch(index: reopened, split: "train")
                .search(text: "zebra", mode: .bm25, k: 2, perClass: false, filter: reopened.filter(split: "train"))[0].hits
            #expect(Set(top.map(\.id)) == [UInt32(texts.count), UInt32(texts.count + 3)])
            results.append(served)
        }
        #expect(results[0] == results[1] && results[1] == results[2])
    }
}
