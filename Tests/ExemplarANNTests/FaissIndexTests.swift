import ExemplarANN
import Foundation
import Testing

/// faiss through the shim: each kind against a brute-force ranking of the same vectors.
@Suite struct FaissIndexTests {
    /// Clustered unit vectors (a centre per 50 rows plus noise), as sentence embeddings cluster:
    /// uniform random vectors would make recall meaningless.
    static func clustered(rows: Int, dimension: Int, seed: UInt64) -> [Float] {
        var state = seed
        func next() -> Float {  // SplitMix64 -> a normal-ish value (sum of 4 uniforms, centred)
            var sum: Float = 0
            for _ in 0..<4 {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                sum += Float((z ^ (z >> 31)) >> 40) / Float(1 << 24)
            }
            return sum - 2
        }
        let centres = (0..<(rows / 50 + 1)).map { _ in (0..<dimension).map { _ in next() } }
        var out = [Float]()
        out.reserveCapacity(rows * dimension)
        for r in 0..<rows {
            var v = centres[r / 50].map { $0 + 0.35 * next() }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in v.indices { v[i] /= norm }
            out += v
        }
        return out
    }

    static func exactTop(_ vectors: [Float], _ query: ArraySlice<Float>, dimension: Int, k: Int) -> [Int] {
        let rows = vectors.count / dimension
        let scores = (0..<rows).map { r in zip(vectors[(r * dimension)..<((r + 1) * dimension)], query).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
        return Array((0..<rows).sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }.prefix(k))
    }

    @Test(arguments: [ANNKind.flat, .ivfFlat, .ivfSQ8, .hnsw])
    func recallAgainstBruteForce(kind: ANNKind) throws {
        let dimension = 48, rows = 4_000, k = 10
        let vectors = Self.clustered(rows: rows, dimension: dimension, seed: 7)
        let queries = Array(Self.clustered(rows: 4_000, dimension: dimension, seed: 7).prefix(50 * dimension))
        let index = try vectors.withUnsafeBufferPointer { try FaissIndex.build(ANNParameters(kind: kind), vectors: $0, dimension: dimension) }
        #expect(index.count == rows && index.dimension == dimension && index.kind == kind)
        let search = ANNSearchParameters(nprobe: 16, efSearch: 64)
        let found = try queries.withUnsafeBufferPointer { try index.search($0, k: k, search) }
        var shared = 0
        for q in 0..<50 {
            let want = Self.exactTop(vectors, queries[(q * dimension)..<((q + 1) * dimension)], dimension: dimension, k: k)
            #expect(found[q].count == k)
            shared += Set(found[q].map(\.id)).intersection(want).count
            #expect(zip(found[q], found[q].dropFirst()).allSatisfy { $0.score >= $1.score })
        }
        let recall = Double(shared) / Double(50 * k)
        #expect(recall >= (kind == .flat ? 1.0 : 0.9), "recall@10 \(recall) for \(kind)")
    }

    @Test func writtenIndexReadsBackAndSearchesTheSame() throws {
        let dimension = 16
        let vectors = Self.clustered(rows: 1_000, dimension: dimension, seed: 3)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("faiss-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for kind in [ANNKind.ivfSQ8, .hnsw] {
            let index = try vectors.withUnsafeBufferPointer { try FaissIndex.build(ANNParameters(kind: kind), vectors: $0, dimension: dimension) }
            let file = folder.appendingPathComponent("\(kind.rawValue).faiss")
            try index.write(to: file)
            let read = try FaissIndex.read(file)
            #expect(read.kind == kind && read.count == 1_000 && read.dimension == dimension)
            let query = Array(vectors.prefix(3 * dimension))
            let a = try query.withUnsafeBufferPointer { try index.search($0, k: 5, .init(nprobe: 4, efSearch: 32)) }
            let b = try query.withUnsafeBufferPointer { try read.search($0, k: 5, .init(nprobe: 4, efSearch: 32)) }
            #expect(a.map { $0.map(\.id) } == b.map { $0.map(\.id) })
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy { !$0.hasSuffix(".tmp") })
        }
    }

    @Test func damagedAndWrongInputsAreErrorsNotCrashes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("faiss-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let junk = folder.appendingPathComponent("junk.faiss")
        try Data("not a faiss index at all".utf8).write(to: junk)
        #expect(throws: ANNError.self) { try FaissIndex.read(junk) }
        #expect(throws: ANNError.self) { try FaissIndex.read(folder.appendingPathComponent("missing.faiss")) }
        // A truncated real index.
        let vectors = Self.clustered(rows: 200, dimension: 8, seed: 1)
        let index = try vectors.withUnsafeBufferPointer { try FaissIndex.build(ANNParameters(kind: .hnsw), vectors: $0, dimension: 8) }
        let file = folder.appendingPathComponent("h.faiss")
        try index.write(to: file)
        let bytes = try Data(contentsOf: file)
        try bytes.prefix(bytes.count / 2).write(to: file)
        #expect(throws: ANNError.self) { try FaissIndex.read(file) }
        // Shapes that do not fit.
        #expect(throws: ANNError.self) { try [Float](repeating: 0, count: 10).withUnsafeBufferPointer { try FaissIndex.build(ANNParameters(kind: .flat), vectors: $0, dimension: 3) } }
        #expect(throws: ANNError.self) { try vectors.prefix(8 * 10).withUnsafeBufferPointer { try FaissIndex.build(ANNParameters(kind: .ivfFlat), vectors: $0, dimension: 8) } }
        #expect(throws: ANNError.self) { try [Float](repeating: 0, count: 5).withUnsafeBufferPointer { try index.search($0, k: 3) } }
    }

    /// IVF lists memory-mapped from the file answer as the lists read into memory do, and a
    /// truncated file (the lists run past its end) is an error at read, not a SIGBUS at search.
    @Test(arguments: [ANNKind.ivfFlat, .ivfSQ8])
    func mappedListsAnswerAsReadOnes(kind: ANNKind) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("faiss-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let vectors = Self.clustered(rows: 3000, dimension: 16, seed: 5)
        let built = try vectors.withUnsafeBufferPointer { try FaissIndex.build(ANNParameters(kind: kind, lists: 20), vectors: $0, dimension: 16) }
        let file = folder.appendingPathComponent("ivf.faiss")
        try built.write(to: file)
        let mapped = try FaissIndex.read(file), read = try FaissIndex.read(file, mapped: false)
        #expect(mapped.count == 3000 && mapped.kind == kind)
        let queries = Array(vectors.prefix(16 * 25))
        let a = try queries.withUnsafeBufferPointer { try mapped.search($0, k: 5, ANNSearchParameters(nprobe: 4)) }
        let b = try queries.withUnsafeBufferPointer { try read.search($0, k: 5, ANNSearchParameters(nprobe: 4)) }
        #expect(a.map { $0.map(\.id) } == b.map { $0.map(\.id) })
        #expect(a.map { $0.map(\.score) } == b.map { $0.map(\.score) })
        // Warming reads the mapped lists (every row's code and id, within the file) and
        // changes no answer; an index held in memory has nothing to read.
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int)
        let codeBytes = kind == .ivfFlat ? 16 * 4 : 16
        let warmed = mapped.warm()
        #expect(warmed >= 3000 * (codeBytes + 8) && warmed <= size, "\(warmed) of \(size)")
        #expect(read.warm() == 0 && built.warm() == 0)
        #expect(mapped.warm(most: warmed - 1) == 0 && mapped.warm(most: warmed) == warmed)
        let c = try queries.withUnsafeBufferPointer { try mapped.search($0, k: 5, ANNSearchParameters(nprobe: 4)) }
        #expect(c.map { $0.map(\.id) } == a.map { $0.map(\.id) })
        let bytes = try Data(contentsOf: file)
        let short = folder.appendingPathComponent("short.faiss")
        try bytes.prefix(bytes.count - 1000).write(to: short)
        #expect(throws: ANNError.self) { try FaissIndex.read(short) }
        #expect(throws: ANNError.self) { try FaissIndex.read(short, mapped: false) }
    }

    /// The shim's own IVF list scan (AVX2) ranks and scores as faiss's scanner does, for
    /// IVF-Flat and IVF-SQ8 (residual codes), at a width with and without vector tails.
    @Test(arguments: [(ANNKind.ivfFlat, 384), (.ivfSQ8, 384), (.ivfFlat, 20), (.ivfSQ8, 20)])
    func ownListScanEqualsFaissScan(kind: ANNKind, dimension: Int) throws {
        let vectors = Self.clustered(rows: 2000, dimension: dimension, seed: 11)
        let index = try vectors.withUnsafeBufferPointer { try FaissIndex.build(ANNParameters(kind: kind, lists: 16), vectors: $0, dimension: dimension) }
        let queries = Array(vectors.prefix(dimension * 30)).map { $0 * 0.9 + 0.01 }
        for nprobe in [1, 4, 16] {
            let own = try queries.withUnsafeBufferPointer { try index.search($0, k: 10, ANNSearchParameters(nprobe: nprobe)) }
            let faiss = try queries.withUnsafeBufferPointer { try index.search($0, k: 10, ANNSearchParameters(nprobe: nprobe), faissScan: true) }
            #expect(own.count == 30 && faiss.count == 30)
            for (a, b) in zip(own, faiss) {
                #expect(a.count == b.count)
                for (x, y) in zip(a, b) { #expect(abs(x.score - y.score) <= 1e-4 * max(1, abs(y.score))) }
                // Near-equal scores may swap places; the sets agree but for such a pair.
                #expect(Set(a.map(\.id)).intersection(b.map(\.id)).count >= b.count - 1)
            }
        }
    }

    @Test func listCountFollowsTheRowCount() {
        let p = ANNParameters(kind: .ivfFlat)
        #expect(p.lists(for: 1_000_000) == 4_000)
        #expect(p.lists(for: 100) == 2)   // capped at 39 training points per list
        #expect(ANNParameters(kind: .ivfFlat, lists: 7).lists(for: 1_000_000) == 7)
    }
}
