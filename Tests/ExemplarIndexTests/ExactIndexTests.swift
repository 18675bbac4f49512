import ExemplarIndex
import ExemplarStore
import ExemplarTestSupport
import Foundation
import Testing

/// Exact search against a brute-force reference over the same vectors.
@Suite struct ExactIndexTests {
    struct Fixture {
        let records: [IndexRecord]
        let vectors: [Float]
        let dim: Int
    }

    func fixture(n: Int, dim: Int, labels: [String], seed: UInt64) -> Fixture {
        var rng = SplitMix(seed: seed)
        let records = (0..<n).map { IndexRecord(id: UInt32($0), split: $0 % 5 == 0 ? "dev" : "train",
                                                 label: labels[Int(rng.next() % UInt64(labels.count))], textA: "t\($0)", line: $0 + 1) }
        var vectors = (0..<(n * dim)).map { _ in Float(Double(rng.next() % 2001) / 1000 - 1) }
        // Duplicate rows to force ties, which must break by lower id.
        for dup in [3, 10] where dup + 1 < n {
            for j in 0..<dim { vectors[(dup + 1) * dim + j] = vectors[dup * dim + j] }
        }
        return Fixture(records: records, vectors: vectors, dim: dim)
    }

    func bruteForce(_ f: Fixture, query: [Float], k: Int, accept: (IndexRecord) -> Bool) -> [UInt32] {
        func cos(_ row: Int) -> Double {
            var dot = 0.0, a = 0.0, b = 0.0
            for j in 0..<f.dim {
                let x = Double(f.vectors[row * f.dim + j]), y = Double(query[j])
                dot += x * y; a += x * x; b += y * y
            }
            return dot / (a * b).squareRoot()
        }
        let scored = f.records.filter(accept).map { ($0.id, cos(Int($0.id))) }
        return scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(k).map(\.0)
    }

    @Test(arguments: [(300, 16, 1), (25_000, 40, 2)])
    func matchesBruteForce(n: Int, dim: Int, threads: Int) {
        let labels = ["neg", "pos", "neutral"]
        let f = fixture(n: n, dim: dim, labels: labels, seed: UInt64(n))
        let index = ExactIndex(records: f.records, vectors: f.vectors, dimension: dim, labelOrder: labels)
        for q in [3, 42, 117] {
            let query = Array(f.vectors[(q * dim)..<((q + 1) * dim)])
            let all = index.search(query, k: 10, threads: threads).map(\.id)
            let expected = bruteForce(f, query: query, k: 10) { _ in true }
            // Float vs double scoring may swap near-equal neighbours; compare sets of the top 5
            // where scores are far apart, and the exact order on duplicates (ties by id).
            #expect(Set(all.prefix(5)) == Set(expected.prefix(5)), "query \(q)")
            #expect(all.first == UInt32(q) || (q == 4 || q == 11))
            let perClass = index.searchPerClass(query, k: 3, threads: threads)
            #expect(perClass.map(\.label) == labels)
            for (label, hits) in perClass {
                let ref = bruteForce(f, query: query, k: 3) { $0.label == label }
                #expect(Set(hits.map(\.id)) == Set(ref), "label \(label)")
                #expect(hits.allSatisfy { f.records[Int($0.id)].label == label })
            }
            let filtered = index.search(query, k: 5, filter: SearchFilter(label: "pos", split: "train", excluding: [UInt32(q)]), threads: threads)
            let refFiltered = bruteForce(f, query: query, k: 5) { $0.label == "pos" && $0.split == "train" && $0.id != UInt32(q) }
            #expect(Set(filtered.map(\.id)) == Set(refFiltered))
            #expect(zip(filtered, filtered.dropFirst()).allSatisfy { $0.score >= $1.score })
        }
    }

    /// Batched search over partitions of several 8,192-row blocks, split across two workers:
    /// the brute-force neighbours, and a tie between identical rows in blocks of different
    /// workers broken by the lower id.
    @Test(arguments: [1, 2])
    func batchedSearchAcrossWorkers(threads: Int) {
        let f0 = fixture(n: 40_000, dim: 24, labels: ["a", "b"], seed: 7)
        var vectors = f0.vectors
        for j in 0..<24 { vectors[30_001 * 24 + j] = vectors[5 * 24 + j] }
        // Row 30,001 is row 5 again, in the same label: a tie across workers' blocks.
        let f = Fixture(records: f0.records.map { IndexRecord(id: $0.id, split: "train", label: $0.id == 30_001 ? f0.records[5].label : $0.label,
                                                              textA: "", line: $0.line) },
                        vectors: vectors, dim: 24)
        let index = ExactIndex(records: f.records, vectors: f.vectors, dimension: 24, labelOrder: ["a", "b"])
        let picks = [5, 9, 1234, 20_000, 39_999]
        let queries = picks.map { Array(f.vectors[($0 * 24)..<(($0 + 1) * 24)]) }
        let batch = index.searchBatch(queries, k: 5, perClass: true, threads: threads, method: .exact)
        let plain = index.searchBatch(queries, k: 3, perClass: false, filter: SearchFilter(excluding: [9]), threads: threads, method: .exact)
        for (i, query) in queries.enumerated() {
            #expect(batch[i].map(\.label) == ["a", "b"])
            for (label, hits) in batch[i] {
                #expect(Set(hits.prefix(4).map(\.id)) == Set(bruteForce(f, query: query, k: 4) { $0.label == label }), "query \(picks[i]), label \(label)")
            }
            #expect(Set(plain[i][0].hits.map(\.id)) == Set(bruteForce(f, query: query, k: 3) { $0.id != 9 }))
        }
        let label = f.records[5].label
        #expect(batch[0].first { $0.label == label }?.hits.prefix(2).map(\.id) == [5, 30_001])
    }

    @Test func tiesBreakByID() {
        let dim = 4
        let records = (0..<6).map { IndexRecord(id: UInt32($0), split: "train", label: "a", textA: "", line: $0) }
        let vectors = [Float](repeating: 1, count: 6 * dim)
        let index = ExactIndex(records: records, vectors: vectors, dimension: dim)
        #expect(index.search([1, 1, 1, 1], k: 4).map(\.id) == [0, 1, 2, 3])
    }
}
