import ExemplarJSON
import ExemplarLexical
import ExemplarTestSupport
import Foundation
import Testing

/// BM25Okapi against rank_bm25 0.2.2 (fixture from scripts/check-bm25 --write-fixture: RTE
/// 16-shot seed 42, nltk's tokens of the 32 train texts and 40 test queries, rank_bm25's scores).
@Suite struct BM25OkapiTests {
    @Test func scoresEqualRankBM25() throws {
        let data = try Data(contentsOf: Fixtures.url("bm25/bm25-rte-16-42.json"))
        let o = try JSONReader(bytes: Array(data))
        func tokens(_ key: String) throws -> [[String]] {
            try #require(o.field(key)?.arrayValue).map { ($0.arrayValue ?? []).compactMap(\.stringValue) }
        }
        let corpus = try tokens("corpus"), queries = try tokens("queries")
        let expected = try #require(o.field("scores")?.arrayValue).map { ($0.arrayValue ?? []).compactMap(\.numberValue) }
        let bm25 = BM25Okapi(corpus: corpus)
        #expect(bm25.averageLength == (try o.double("avgdl")))
        #expect(abs(bm25.idfFloor / 0.25 - (try #require(try o.double("average_idf")))) < 1e-12)
        var worst = 0.0
        for (q, ref) in zip(queries, expected) {
            let ours = bm25.scores(q)
            #expect(ours.count == ref.count)
            for (a, b) in zip(ours, ref) { worst = max(worst, abs(a - b) / max(abs(b), 1e-12)) }
        }
        #expect(worst < 1e-12, "worst relative difference \(worst)")
        #expect(queries.count == 40)
    }

    /// rank_bm25's formulas by hand on a corpus where "the" is in every document: its idf
    /// (log(0.5) − log(5.5) < 0) becomes epsilon × the average idf of all terms.
    @Test func negativeIdfTakesTheFloor() {
        let corpus = [["the", "cat", "the"], ["the", "dog"], ["the", "sat"], ["the", "sat", "down"], ["the"]]
        let bm25 = BM25Okapi(corpus: corpus)
        let n = 5.0
        func idf(_ df: Double) -> Double { log(n - df + 0.5) - log(df + 0.5) }
        // Dict order: the, cat, dog, sat, down.
        let raw = [idf(5), idf(1), idf(1), idf(2), idf(1)]
        #expect(raw[0] < 0 && raw[1...].allSatisfy { $0 > 0 })
        let floor = 0.25 * (raw.reduce(0, +) / 5)
        #expect(bm25.idf("the") == floor && bm25.idf("cat") == idf(1) && bm25.idf("sat") == idf(2) && bm25.idf("bird") == nil)
        let avgdl = 11.0 / 5
        #expect(bm25.averageLength == avgdl)
        func term(_ idf: Double, _ tf: Double, _ len: Double) -> Double { idf * (tf * 2.5 / (tf + 1.5 * (1 - 0.75 + 0.75 * len / avgdl))) }
        let scores = bm25.scores(["the", "cat", "the", "bird"])
        #expect(scores == [term(floor, 2, 3) + term(idf(1), 1, 3) + term(floor, 2, 3),
                           term(floor, 1, 2) + term(floor, 1, 2),
                           term(floor, 1, 2) + term(floor, 1, 2),
                           term(floor, 1, 3) + term(floor, 1, 3),
                           term(floor, 1, 1) + term(floor, 1, 1)])
    }

    @Test func postingsRoundTripAndGrow() {
        var index = LexicalIndex(documents: [["a", "b", "a"], ["b", "c"]])
        #expect(Array(index.terms) == ["a", "b", "c"])
        #expect(index.postings[0] == [.init(document: 0, frequency: 2)])
        let before = index
        let appended = index.append([["c", "d", "c"]])
        #expect(appended.changedTerms == [2, 3] && appended.newTerms == 3..<4 && index.documentCount == 3)
        #expect(appended.documents == [[.init(term: 2, frequency: 2), .init(term: 3, frequency: 1)]])
        #expect(index.postings[2] == [.init(document: 1, frequency: 1), .init(document: 2, frequency: 2)])
        #expect(index.termID("d") == 3 && Array(index.terms) == ["a", "b", "c", "d"])
        // The copy taken before is unchanged (appending does not touch the shared base).
        #expect(Array(before.terms) == ["a", "b", "c"] && before.postings[2] == [.init(document: 1, frequency: 1)])
        // Appending equals indexing everything at once.
        #expect(index == LexicalIndex(documents: [["a", "b", "a"], ["b", "c"], ["c", "d", "c"]]))
        let bytes = LexicalIndex.encode(index.postings[2])
        #expect(bytes.withUnsafeBytes { LexicalIndex.decode($0) } == index.postings[2])
        #expect([UInt8](repeating: 0, count: 7).withUnsafeBytes { LexicalIndex.decode($0) } == nil)
        // A subset corpus (documents 1 and 2) is scored as if indexed on its own.
        let subset = BM25Okapi(index: index, documents: [1, 2])
        let alone = BM25Okapi(corpus: [["b", "c"], ["c", "d", "c"]])
        #expect(subset.scores(["c", "d", "b"]) == alone.scores(["c", "d", "b"]))
    }
}
