import CFaiss
import ExemplarCore
import Foundation

/// The approximate index types Exemplar builds through faiss (inner product on normalised
/// vectors, that is cosine). `flat` is faiss's exact IndexFlatIP, the reference.
public enum ANNKind: String, Sendable, CaseIterable {
    case flat
    case ivfFlat = "ivf-flat"
    case ivfSQ8 = "ivf-sq8"
    case hnsw

    var code: Int32 {
        switch self {
        case .flat: Int32(EXF_FLAT.rawValue)
        case .ivfFlat: Int32(EXF_IVF_FLAT.rawValue)
        case .ivfSQ8: Int32(EXF_IVF_SQ8.rawValue)
        case .hnsw: Int32(EXF_HNSW.rawValue)
        }
    }

    init?(code: Int32) {
        guard let kind = ANNKind.allCases.first(where: { $0.code == code }) else { return nil }
        self = kind
    }
}

/// How an index is built: `lists` (IVF's nlist; default about 4·√n), `links` (HNSW's M) and
/// `efConstruction` (HNSW).
public struct ANNParameters: Sendable, Equatable {
    public var kind: ANNKind
    public var lists: Int?
    public var links: Int
    public var efConstruction: Int

    public init(kind: ANNKind, lists: Int? = nil, links: Int = 32, efConstruction: Int = 80) {
        self.kind = kind
        self.lists = lists
        self.links = links
        self.efConstruction = efConstruction
    }

    /// IVF's list count for `count` vectors: the given one, else 4·√count, at least 1 and at
    /// most count / 39 (faiss wants 39 training points per list).
    public func lists(for count: Int) -> Int {
        if let lists { return lists }
        let wanted = Int((4 * Double(count).squareRoot()).rounded())
        return max(1, min(wanted, count / 39))
    }
}

/// Per-search settings: `nprobe` lists visited (IVF), `efSearch` candidates kept (HNSW); nil
/// keeps faiss's default (nprobe 1, efSearch 16).
public struct ANNSearchParameters: Sendable, Equatable {
    public var nprobe: Int?
    public var efSearch: Int?

    public init(nprobe: Int? = nil, efSearch: Int? = nil) {
        self.nprobe = nprobe
        self.efSearch = efSearch
    }
}

/// What faiss reported, or a bad argument to it.
public struct ANNError: ExemplarError {
    public let message: String
    public let exitCode: Int32

    public init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }
}

/// One faiss index, built once and then only searched or written: the only code that calls
/// CFaiss.
///
/// Threading: faiss allows concurrent searches on one index (search is const, and this type
/// passes nprobe/efSearch as per-call SearchParameters instead of setting them on the index);
/// training and adding need exclusive access, so they happen only inside `build`, before the
/// instance is shared. That is why it can be `Sendable` while holding a C++ object.
public final class FaissIndex: @unchecked Sendable {
    private let handle: OpaquePointer
    /// The index type, the vector dimension, the number of vectors (ids 0..<count, in the
    /// order they were given).
    public let kind: ANNKind
    public let dimension: Int
    public var count: Int { Int(exf_count(handle)) }

    private init(handle: OpaquePointer) throws(ANNError) {
        guard let kind = ANNKind(code: exf_kind_of(handle)) else {
            exf_free(handle)
            throw ANNError("faiss returned an index of an unknown kind")
        }
        self.handle = handle
        self.kind = kind
        self.dimension = Int(exf_dimension(handle))
    }

    deinit { exf_free(handle) }

    /// Builds an index of `vectors` (row-major, `dimension` wide; ids are row numbers). IVF
    /// kinds train on at most `trainingRows` rows spread evenly over the set.
    public static func build(_ parameters: ANNParameters, vectors: UnsafeBufferPointer<Float>, dimension: Int,
                             trainingRows: Int = 65_536) throws(ANNError) -> FaissIndex {
        guard dimension > 0, vectors.count % dimension == 0 else {
            throw ANNError("\(vectors.count) floats are not rows of dimension \(dimension)", exitCode: 2)
        }
        return try build(parameters, rows: vectors.count / dimension, dimension: dimension, trainingRows: trainingRows) { first, count, into in
            into.update(from: vectors.baseAddress! + first * dimension, count: count * dimension)
        }
    }

    /// Builds an index of `rows` vectors that `fill(first, count, into)` writes (rows
    /// `first..<first + count`, row-major) a chunk at a time, so the set is never held whole
    /// (a 5-million-row partition is added 65,536 rows at a time). IVF kinds train on
    /// `trainingRows` rows spread evenly over the set (nil: `trainingRows(lists:)`).
    public static func build(_ parameters: ANNParameters, rows: Int, dimension: Int, trainingRows: Int? = nil,
                             fill: (Int, Int, UnsafeMutablePointer<Float>) -> Void) throws(ANNError) -> FaissIndex {
        guard dimension > 0, rows >= 0 else { throw ANNError("\(rows) rows of dimension \(dimension)", exitCode: 2) }
        var parameter: Int32 = 0
        switch parameters.kind {
        case .flat: break
        case .ivfFlat, .ivfSQ8:
            guard rows >= 39 else { throw ANNError("an IVF index needs at least 39 vectors to train on; it has \(rows)", exitCode: 2) }
            parameter = Int32(parameters.lists(for: rows))
        case .hnsw:
            guard parameters.links >= 2 else { throw ANNError("HNSW needs M >= 2 links per node", exitCode: 2) }
            parameter = Int32(parameters.links)
        }
        var made: OpaquePointer?
        try call { exf_create(parameters.kind.code, Int32(dimension), parameter, Int32(parameters.efConstruction), &made, $0, $1) }
        guard let made else { throw ANNError("faiss made no index") }
        let index = try FaissIndex(handle: made)
        guard rows > 0 else { return index }
        if parameters.kind == .ivfFlat || parameters.kind == .ivfSQ8 {
            let sampled = min(rows, trainingRows ?? Self.trainingRows(lists: Int(parameter)))
            var sample = [Float](repeating: 0, count: sampled * dimension)
            sample.withUnsafeMutableBufferPointer { s in
                for i in 0..<sampled { fill(i * rows / sampled, 1, s.baseAddress! + i * dimension) }
            }
            try sample.withUnsafeBufferPointer { s throws(ANNError) in
                try call { exf_train(made, Int64(sampled), s.baseAddress!, $0, $1) }
            }
        }
        // One call for a partition faiss adds on one thread (see exf_add), chunks otherwise.
        let chunk = rows < 20_000 ? rows : 65_536
        var buffer = [Float](repeating: 0, count: min(rows, chunk) * dimension)
        for first in stride(from: 0, to: rows, by: chunk) {
            let count = min(chunk, rows - first)
            try buffer.withUnsafeMutableBufferPointer { b throws(ANNError) in
                fill(first, count, b.baseAddress!)
                try call { exf_add(made, Int64(count), b.baseAddress!, $0, $1) }
            }
        }
        return index
    }

    /// The rows an IVF index of `lists` lists trains on by default: 40 per list (faiss asks for
    /// at least 39; k-means costs rows × lists), and no fewer than 65,536.
    public static func trainingRows(lists: Int) -> Int { max(65_536, 40 * lists) }

    /// Reads the pages of a mapped IVF index's lists once (into the page cache), so searches
    /// after it do not wait on the disk; the bytes read: 0 for an index held in memory, or one
    /// whose mapped file is larger than `most` bytes (nothing is read then).
    public func warm(most: Int = .max) -> Int { Int(exf_warm(handle, Int64(most))) }

    /// An IVF index's list count; 0 for other kinds.
    public var lists: Int { Int(exf_lists(handle)) }

    /// Reads an index `write(to:)` wrote. `mapped`: an IVF index's lists are memory-mapped from
    /// the file, not read into memory (a 10-million-row index opens in constant memory; the
    /// file is replaced by rename, never rewritten in place, so the mapping stays valid).
    public static func read(_ url: URL, mapped: Bool = true) throws(ANNError) -> FaissIndex {
        var made: OpaquePointer?
        try call { exf_read(url.path, mapped ? 1 : 0, &made, $0, $1) }
        guard let made else { throw ANNError("faiss read no index from \(url.lastPathComponent)") }
        return try FaissIndex(handle: made)
    }

    /// Writes the index to `url` atomically: a temporary file beside it, synced, then renamed over it.
    public func write(to url: URL) throws(ANNError) {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        try Self.call { exf_write(handle, temporary.path, $0, $1) }
        let fd = open(temporary.path, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        guard rename(temporary.path, url.path) == 0 else {
            unlink(temporary.path)
            throw ANNError("cannot rename the faiss index into place at \(url.lastPathComponent): \(String(cString: strerror(errno)))")
        }
    }

    /// The `k` best rows for each of the `queries` (row-major), best first; fewer where the
    /// search found fewer. IVF lists are scored by the shim's AVX2 scan; `faissScan` uses
    /// faiss's own (Debian's build: SSE2), the reference for tests and benchmarks.
    public func search(_ queries: UnsafeBufferPointer<Float>, k: Int, _ parameters: ANNSearchParameters = .init(),
                       faissScan: Bool = false) throws(ANNError) -> [[(id: Int, score: Float)]] {
        guard queries.count % dimension == 0 else {
            throw ANNError("\(queries.count) floats are not queries of dimension \(dimension)", exitCode: 2)
        }
        let n = queries.count / dimension
        guard n > 0, k > 0, count > 0, let base = queries.baseAddress else { return Array(repeating: [], count: n) }
        var scores = [Float](repeating: 0, count: n * k)
        var ids = [Int64](repeating: -1, count: n * k)
        try scores.withUnsafeMutableBufferPointer { s throws(ANNError) in
            try ids.withUnsafeMutableBufferPointer { i throws(ANNError) in
                try Self.call {
                    let search = faissScan ? exf_search_faiss : exf_search
                    return search(handle, Int64(n), base, Int64(k), Int32(parameters.nprobe ?? 0), Int32(parameters.efSearch ?? 0),
                                  s.baseAddress!, i.baseAddress!, $0, $1)
                }
            }
        }
        return (0..<n).map { q in
            (0..<k).compactMap { j in ids[q * k + j] < 0 ? nil : (id: Int(ids[q * k + j]), score: scores[q * k + j]) }
        }
    }

    /// faiss's OpenMP thread count (process-wide).
    public static func setThreads(_ threads: Int) { exf_set_threads(Int32(threads)) }

    private static func call(_ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws(ANNError) {
        var message = [CChar](repeating: 0, count: 512)
        let status = message.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        guard status == 0 else { throw ANNError("faiss: " + String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)) }
    }
}
