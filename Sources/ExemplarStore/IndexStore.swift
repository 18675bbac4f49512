import ExemplarCore
import ExemplarLexical
import Foundation

/// An index's persistent state in one LMDB environment (a folder with data.mdb and lock.mdb).
///
/// Databases: `meta` (manifest JSON, build state), `records` (id → `IndexRecord`),
/// `vectors` (id → float32 × dimension), `cache` (SHA-256 of model and text → float32 ×
/// dimension). A build writes cache batches as it goes, each in its own transaction, and
/// finally replaces records, vectors and manifest in one transaction: a build killed at any
/// moment leaves the previous complete index (flagged as having an interrupted build) plus
/// every cached vector committed so far, from which the next build resumes.
///
/// Threading: safe to share; see `LMDBEnvironment` for LMDB's rules.
public final class IndexStore: Sendable {
    public let folder: URL
    let env: LMDBEnvironment

    /// Opens (creating if needed) the index folder. The LMDB map starts at `initialMapSize`
    /// bytes and doubles whenever a write fills it.
    /// With `readOnly`, nothing is written (searching an index on read-only media works).
    /// The file's pages are checked first (`LMDBPageCheck`): damage throws `StoreError.corrupt`,
    /// unless `allowDamaged`, when only reading a damaged database throws (a rebuild salvaging the cache).
    public init(folder: URL, initialMapSize: Int = 64 << 20, readOnly: Bool = false, allowDamaged: Bool = false) throws(StoreError) {
        self.folder = folder
        env = try LMDBEnvironment(path: folder.path, databases: ["meta", "records", "vectors", "cache"] + Self.lexicalDatabases,
                                  optional: Set(Self.lexicalDatabases), initialMapSize: initialMapSize, readOnly: readOnly,
                                  allowDamaged: allowDamaged)
    }

    /// Whether the store was opened read-only.
    public var readOnly: Bool { env.readOnly }

    /// The manifest of the last complete build, or `nil` if there was none.
    public func manifest() throws(StoreError) -> Manifest? {
        guard let bytes = try env.read({ txn throws(StoreError) in try txn.get("meta", Array("manifest".utf8)) }) else { return nil }
        do {
            return try Manifest(json: bytes, path: folder.path)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .corrupt(path: folder.path, reason: "manifest is not readable: \(error)")
        }
    }

    /// Whether a build started after the last complete one and did not finish.
    public func hasInterruptedBuild() throws(StoreError) -> Bool {
        try env.read { txn throws(StoreError) in try txn.get("meta", Array("state".utf8)) } == Array("building".utf8)
    }

    /// Records that a build has started (cleared by `commit`).
    public func markBuilding() throws(StoreError) {
        try env.write { txn throws(StoreError) in try txn.put("meta", Array("state".utf8), Array("building".utf8)) }
    }

    /// The cache key of `text` under the model whose weights hash is `modelHash`.
    public static func cacheKey(modelHash: String, text: String) -> [UInt8] {
        var h = SHA256()
        h.update(modelHash)
        h.update([0])
        h.update(text)
        return h.finalize()
    }

    /// Cached vectors for `keys` (`nil` where not cached), each of `dimension` floats.
    public func cachedVectors(_ keys: [[UInt8]], dimension: Int) throws(StoreError) -> [[Float]?] {
        try env.read { txn throws(StoreError) in
            var out: [[Float]?] = []
            out.reserveCapacity(keys.count)
            for key in keys {
                out.append(try txn.withValue("cache", key) { bytes -> [Float]? in
                    guard let bytes, bytes.count == dimension * 4 else { return nil }
                    return (0..<dimension).map { bytes.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
                })
            }
            return out
        }
    }

    /// Adds vectors to the cache in one committed transaction.
    public func cache(_ entries: [(key: [UInt8], vector: ArraySlice<Float>)]) throws(StoreError) {
        try env.write { txn throws(StoreError) in
            for entry in entries {
                try txn.put("cache", entry.key, Self.bytes(entry.vector))
            }
        }
    }

    /// Replaces the index's records, vectors and manifest in one transaction and clears the
    /// interrupted-build flag. `vectors` holds `records.count × dimension` floats in record order.
    /// With `lexical` (the records' postings, document ids = record ids), the lexicon and
    /// postings are replaced in the same transaction.
    public func commit(records: [IndexRecord], vectors: [Float], manifest: Manifest, lexical: LexicalIndex? = nil) throws(StoreError) {
        let dim = manifest.model.dimension
        precondition(vectors.count == records.count * dim)
        let json = Array(manifest.json.text.utf8)
        try env.write { txn throws(StoreError) in
            try txn.clear("records")
            try txn.clear("vectors")
            for (i, record) in records.enumerated() {
                let key = UInt32(i).keyBytes
                try txn.put("records", key, record.encoded(), append: true)
                try txn.put("vectors", key, Self.bytes(vectors[(i * dim)..<((i + 1) * dim)]), append: true)
            }
            try writeLexical(lexical, txn)
            try txn.put("meta", Array("manifest".utf8), json)
            try txn.delete("meta", Array("state".utf8))
        }
    }

    /// Every record and its vector (`records.count × dimension` floats), in id order.
    public func load(dimension: Int) throws(StoreError) -> (records: [IndexRecord], vectors: [Float]) {
        let path = folder.path
        return try env.read { txn throws(StoreError) in
            var records: [IndexRecord] = []
            var vectors: [Float] = []
            let n = try txn.count("records")
            records.reserveCapacity(n)
            vectors.reserveCapacity(n * dimension)
            try txn.forEach("records") { key, value throws(StoreError) in
                guard key.count == 4,
                      let record = IndexRecord(id: UInt32(bigEndian: key.loadUnaligned(as: UInt32.self)), bytes: value) else {
                    throw .corrupt(path: path, reason: "record \(records.count) is unreadable")
                }
                records.append(record)
            }
            try txn.forEach("vectors") { _, value throws(StoreError) in
                guard value.count == dimension * 4 else {
                    throw .corrupt(path: path, reason: "a vector has \(value.count / 4) floats, expected \(dimension)")
                }
                for i in 0..<dimension { vectors.append(value.loadUnaligned(fromByteOffset: 4 * i, as: Float.self)) }
            }
            guard vectors.count == records.count * dimension else {
                throw .corrupt(path: path, reason: "\(records.count) records but \(vectors.count / max(dimension, 1)) vectors")
            }
            return (records, vectors)
        }
    }

    static func bytes(_ floats: ArraySlice<Float>) -> [UInt8] {
        floats.withUnsafeBytes { Array($0) }
    }

    /// Number of cached vectors.
    public func cacheCount() throws(StoreError) -> Int {
        try env.read { txn throws(StoreError) in try txn.count("cache") }
    }

    /// Bytes the index occupies on disk.
    public func sizeOnDisk() -> Int {
        (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("data.mdb").path)[.size] as? Int) ?? 0
    }
}

extension IndexStore {
    /// What `verify` found: counts read, and each problem in words.
    public struct Verification: Sendable {
        public var records = 0
        public var vectors = 0
        public var cached = 0
        public var problems: [String] = []
    }

    /// Stored entry counts (records, vectors), from LMDB's own statistics: no value is read.
    public func entryCounts() throws(StoreError) -> (records: Int, vectors: Int) {
        try env.read { txn throws(StoreError) in (try txn.count("records"), try txn.count("vectors")) }
    }

    /// Reads every record, vector and cached vector and checks what can be checked without
    /// the data files: keys are ids 0..<n in order, records decode, each vector has `dimension`
    /// finite floats and is not all zeros, cache values have the vector size. Damage LMDB itself
    /// trips on ends in its assertion hook (see `LMDBEnvironment`).
    public func verify(dimension: Int) throws(StoreError) -> Verification {
        try env.read { txn throws(StoreError) in
            var v = Verification()
            func note(_ problem: String) { if v.problems.count < 20 { v.problems.append(problem) } }
            try txn.forEach("records") { key, value throws(StoreError) in
                let expected = UInt32(v.records)
                if key.count != 4 {
                    note("record key \(v.records) has \(key.count) bytes, not 4")
                } else {
                    let id = UInt32(bigEndian: key.loadUnaligned(as: UInt32.self))
                    if id != expected { note("record ids jump from \(Int(expected) - 1) to \(id)") }
                    if IndexRecord(id: id, bytes: value) == nil { note("record \(id) is unreadable") }
                }
                v.records += 1
            }
            try txn.forEach("vectors") { key, value throws(StoreError) in
                let id = key.count == 4 ? Int(UInt32(bigEndian: key.loadUnaligned(as: UInt32.self))) : -1
                if id != v.vectors { note("vector key \(v.vectors) is \(id)") }
                if value.count != dimension * 4 {
                    note("vector \(id) has \(value.count) bytes, not \(dimension * 4)")
                } else {
                    var finite = true, zero = true
                    for i in 0..<dimension {
                        let x = value.loadUnaligned(fromByteOffset: 4 * i, as: Float.self)
                        if !x.isFinite { finite = false }
                        if x != 0 { zero = false }
                    }
                    if !finite { note("vector \(id) holds a NaN or infinity") }
                    if zero { note("vector \(id) is all zeros") }
                }
                v.vectors += 1
            }
            if v.records != v.vectors { note("\(v.records) records but \(v.vectors) vectors") }
            try txn.forEach("cache") { _, value throws(StoreError) in
                if value.count != dimension * 4 { note("a cached vector has \(value.count) bytes, not \(dimension * 4)") }
                v.cached += 1
            }
            return v
        }
    }
}

extension IndexStore {
    /// Copies every cached vector of `dimension` finite, not-all-zero floats from `other` into
    /// this store (in transactions of 10,000), except those under `excluding`; returns how many
    /// were copied and how many left out.
    public func copyCache(from other: IndexStore, dimension: Int, excluding: Set<[UInt8]> = []) throws(StoreError) -> (copied: Int, skipped: Int) {
        var batch: [(key: [UInt8], vector: [Float])] = []
        var copied = 0, skipped = 0
        var pending: [[(key: [UInt8], vector: [Float])]] = []
        try other.env.read { txn throws(StoreError) in
            try txn.forEach("cache") { key, value throws(StoreError) in
                guard key.count == 32, value.count == dimension * 4, !excluding.contains(Array(key)) else { skipped += 1; return }
                let vector = (0..<dimension).map { value.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
                guard vector.allSatisfy(\.isFinite), vector.contains(where: { $0 != 0 }) else { skipped += 1; return }
                batch.append((Array(key), vector))
                if batch.count == 10_000 { pending.append(batch); batch.removeAll(keepingCapacity: true) }
            }
        }
        pending.append(batch)
        for chunk in pending where !chunk.isEmpty {
            try cache(chunk.map { ($0.key, $0.vector[...]) })
            copied += chunk.count
        }
        return (copied, skipped)
    }
}
