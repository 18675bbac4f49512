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
            var a = [Float](repeating: 0, count: part.rows)
            // Float weights, then the int16 weights (VNNI's form), each body.
            for (integer, portable) in [(false, false), (false, true), (true, false), (true, true)] {
                let weights = RowCodes.Weights(query: query, scales: scales, dimension: dim, integer: integer)
                #expect((weights.integers != nil) == integer)
                let bound = weights.bound
                weights.scores(codes + part.firstRow * dim, rows: part.rows, into: &a, portable: portable)
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

/// Online appends (`ExactIndex.appending`, `RecordList.appending`) give the index a fresh build
/// of the same records would: the same records by id and the same search results.
@Suite struct AppendingIndexTests {
    @Test func appendsInManySmallStepsEqualOneIndex() {
        let dim = 12, n = 3_000
        var rng = SplitMix(seed: 3)
        let records = (0..<n).map { i in
            IndexRecord(id: UInt32(i), split: ["train", "dev"][Int(rng.next() % 2)], label: ["a", "b", "c"][Int(rng.next() % 3)],
                        textA: "r\(i)", line: i + 1)
        }
        let vectors = (0..<(n * dim)).map { _ in Float(Double(rng.next() % 2001) / 1000 - 1) }
        let whole = ExactIndex(records: records, vectors: vectors, dimension: dim, labelOrder: ["a", "b", "c"])
        // The first 1,000 at once, then steps of 1 to 37 rows.
        var grown = ExactIndex(records: Array(records[0..<1000]), vectors: Array(vectors[0..<(1000 * dim)]), dimension: dim,
                               labelOrder: ["a", "b", "c"])
        var next = 1000, step = 1
        while next < n {
            let end = min(n, next + step)
            grown = grown.appending(Array(records[next..<end]), vectors: Array(vectors[(next * dim)..<(end * dim)]))
            next = end
            step = step % 37 + 1
        }
        #expect(Array(grown.records) == records)
        // Binary-counter merges keep the held segments few (every row is held here).
        #expect(grown.heldSegments.count <= 6 * 12, "\(grown.heldSegments.count) held segments")
        for q in stride(from: 0, to: n, by: 211) {
            let query = Array(vectors[(q * dim)..<((q + 1) * dim)])
            for filter in [SearchFilter(), SearchFilter(label: "b"), SearchFilter(split: "dev", excluding: [UInt32(q)])] {
                #expect(grown.search(query, k: 7, filter: filter) == whole.search(query, k: 7, filter: filter), "query \(q)")
            }
            #expect(grown.rawVector(at: q) == whole.rawVector(at: q))
            let a = grown.searchPerClass(query, k: 3), b = whole.searchPerClass(query, k: 3)
            #expect(a.map(\.label) == b.map(\.label) && zip(a, b).allSatisfy { (x: (label: String, hits: [Hit]), y: (label: String, hits: [Hit])) in x.hits == y.hits })
        }
        #expect(grown.ids(inSplit: "dev") == records.filter { $0.split == "dev" }.map(\.id))
    }

    @Test func recordListAppendsShareAndDeletedReadUnderTheDeletedSplit() {
        let records = (0..<100).map { IndexRecord(id: UInt32($0), split: "train", label: "x", textA: "t\($0)", line: $0) }
        var list = RecordList(Array(records[0..<10]))
        for i in 10..<100 { list = list.appending([records[i]]) }
        let earlier = list
        list = list.appending([IndexRecord(id: 100, split: "dev", label: "y", textA: "new", line: 0)])
        #expect(earlier.count == 100 && Array(earlier) == records)
        #expect(list.count == 101 && list[100].textA == "new" && Array(list.prefix(100)) == records)
        list.deleted = [7]
        #expect(list[7].split == RecordList.deletedSplit && list.stored(7).split == "train" && earlier[7].split == "train")
    }
}
