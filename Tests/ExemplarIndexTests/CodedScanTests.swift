@testable import ExemplarIndex
import ExemplarKernels
import ExemplarStore
import ExemplarTestSupport
import Foundation
import Testing

/// The int8-code scan (`ExactIndex.scanCoded`) returns exactly what a float32 scan returns:
/// the same ids, the same score bits, the same tie order, under every filter.
@Suite struct CodedScanTests {
    /// Clustered rows (many near neighbours, so the codes' error bound lets many rows through),
    /// with exact duplicates (ties) and rows of very different norms.
    func fixture(n: Int, dim: Int, seed: UInt64) -> (records: [IndexRecord], vectors: [Float]) {
        var rng = SplitMix(seed: seed)
        func uniform() -> Float { Float(Double(rng.next() % 2_000_001) / 1_000_000 - 1) }
        let centres = (0..<8).map { _ in (0..<dim).map { _ in uniform() } }
        var vectors: [Float] = []
        var records: [IndexRecord] = []
        for i in 0..<n {
            let c = centres[Int(rng.next() % 8)]
            let scale = Float(1 + rng.next() % 50)
            vectors += c.map { ($0 + 0.15 * uniform()) * scale }
            records.append(IndexRecord(id: UInt32(i), split: i % 7 == 0 ? "dev" : "train", label: ["neg", "pos"][Int(rng.next() % 2)],
                                       textA: "t\(i)", line: i + 1))
        }
        for dup in stride(from: 5, to: n - 1, by: 97) {
            for j in 0..<dim { vectors[(dup + 1) * dim + j] = vectors[dup * dim + j] }
        }
        return (records, vectors)
    }

    @Test(arguments: [(6_000, 48), (3_000, 37), (30_000, 64)])
    func codedScanEqualsTheFloat32Scan(n: Int, dim: Int) throws {
        let (records, vectors) = fixture(n: n, dim: dim, seed: UInt64(n + dim))
        let folder = try TemporaryFolder.create("coded")
        defer { TemporaryFolder.remove(folder) }
        let url = folder.appendingPathComponent("vectors.bin")
        try vectors.withUnsafeBufferPointer { v in
            try VectorFile.write(to: url, dimension: dim, records: records.map {
                VectorFile.RowSource(split: $0.split, label: $0.label, key: Array(repeating: UInt8($0.id % 251), count: 32))
            }, labelOrder: ["neg", "pos"], vectors: v)
        }
        let file = try VectorFile(url: url)
        #expect(file.codes != nil)
        let coded = ExactIndex(records: RecordList(records), base: file, held: [], dimension: dim, labelOrder: ["neg", "pos"])
        let plain = ExactIndex(records: records, vectors: vectors, dimension: dim, labelOrder: ["neg", "pos"])
        #expect(coded.groups.allSatisfy { $0.segments.allSatisfy { $0.codes != nil } })
        #expect(plain.groups.allSatisfy { $0.segments.allSatisfy { $0.codes == nil } })
        var rng = SplitMix(seed: 99)
        for q in 0..<24 {
            // Queries: stored rows (their duplicates tie), and rows with noise.
            let row = Int(rng.next() % UInt64(n))
            var query = Array(vectors[(row * dim)..<((row + 1) * dim)])
            if q % 2 == 1 { query = query.map { $0 + Float(Double(rng.next() % 1000) / 2000 - 0.25) } }
            for k in [1, 10, 64] {
                for threads in [1, 2] {
                    let filters = [SearchFilter(), SearchFilter(label: "pos"), SearchFilter(split: "dev"),
                                   SearchFilter(excluding: Set(plain.search(query, k: 5, method: ExactIndex.Method.exact).map(\.id)))]
                    for filter in filters {
                        let a = coded.search(query, k: k, filter: filter, threads: threads, method: ExactIndex.Method.exact)
                        let b = plain.search(query, k: k, filter: filter, threads: threads, method: ExactIndex.Method.exact)
                        #expect(a == b, "query \(q), k \(k), \(filter)")
                        let pa = coded.searchPerClass(query, k: k, filter: filter, threads: threads, method: ExactIndex.Method.exact)
                        let pb = plain.searchPerClass(query, k: k, filter: filter, threads: threads, method: ExactIndex.Method.exact)
                        #expect(pa.map(\.label) == pb.map(\.label) && zip(pa, pb).allSatisfy { (x: (label: String, hits: [Hit]), y: (label: String, hits: [Hit])) in x.hits == y.hits }, "per class, query \(q), k \(k)")
                    }
                }
            }
        }
    }

    /// The bound holds row by row: every code score is within `bound` of the float32 cosine.
    @Test func codeScoresStayWithinTheirBound() throws {
        let dim = 40, n = 2_000
        let (records, vectors) = fixture(n: n, dim: dim, seed: 5)
        let folder = try TemporaryFolder.create("coded")
        defer { TemporaryFolder.remove(folder) }
        let url = folder.appendingPathComponent("vectors.bin")
        try vectors.withUnsafeBufferPointer { v in
            try VectorFile.write(to: url, dimension: dim, records: records.map {
                VectorFile.RowSource(split: $0.split, label: $0.label, key: Array(repeating: 0, count: 32))
            }, labelOrder: [], vectors: v)
        }
        let file = try VectorFile(url: url)
        let codes = try #require(file.codes)
        var query = Array(vectors[0..<dim]).map { $0 + 0.3 }
        query.withUnsafeMutableBufferPointer { Vectors.normalize($0.baseAddress!, count: dim) }
        var widest: Float = 0
        for (p, part) in file.partitions.enumerated() {
            let scales = try #require(file.codeScales(partition: p))
            var w = [Float](repeating: 0, count: dim), a = [Float](repeating: 0, count: part.rows)
            let bound = RowCodes.weights(query: query, scales: scales, dimension: dim, into: &w)
            for portable in [false, true] {
                RowCodes.scores(codes + part.firstRow * dim, rows: part.rows, dimension: dim, weights: w, into: &a, portable: portable)
                for r in 0..<part.rows {
                    var exact = 0.0
                    for j in 0..<dim { exact += Double(query[j]) * Double(file.vector(row: part.firstRow + r)[j]) }
                    exact /= Double(file.norms[part.firstRow + r])
                    let error = abs(Double(a[r]) - exact)
                    #expect(error <= Double(bound), "row \(part.firstRow + r): error \(error) > bound \(bound)")
                    widest = max(widest, Float(error))
                }
            }
        }
        // The bound is a worst case: real errors are well inside it, but not zero.
        #expect(widest > 0)
    }
}
