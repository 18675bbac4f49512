import ExemplarCore
import ExemplarLexical
import Foundation
import Synchronization

/// An index's persistent state in one LMDB environment (a folder with data.mdb and lock.mdb).
///
/// Databases: `meta` (manifest JSON, build state), `records` (id → `IndexRecord`),
/// `vectors` (id → float32 × dimension: the vectors no vector file holds: online additions,
/// and every vector of a format-1 index), `cache` (SHA-256 of model and text → float32 ×
/// dimension: vectors of texts the current build does not hold). Beside them, the build's
/// `VectorFile` (named by the manifest) holds each built record's vector, its only copy.
/// A build appends what it embeds to `PendingCache` (`pending-cache.bin`) chunk by chunk, then
/// writes its vector file, then replaces records, manifest and the cache's overlap with the
/// file in one transaction and deletes the pending file: a build killed at any moment leaves
/// the previous complete index (flagged as having an interrupted build) plus every chunk
/// appended so far, from which the next build resumes; an unreferenced vector file it left is
/// removed by the next build.
///
/// Threading: safe to share; see `LMDBEnvironment` for LMDB's rules.
public final class IndexStore: Sendable {
    public let folder: URL
    let env: LMDBEnvironment
    /// The last vector file opened, kept mapped while its manifest is the stored one.
    private let opened = Mutex<VectorFile?>(nil)
    /// Whether this process has checked the pending cache's tail since its last commit (the
    /// first append cuts off a torn entry a killed build left).
    private let pendingChecked = Mutex<Bool>(false)
    var pending: PendingCache { PendingCache(folder: folder) }

    /// Opens (creating if needed) the index folder. The LMDB map is `initialMapSize` bytes of
    /// address space (default 1 TiB: the file grows as written, the map is only reserved), and
    /// doubles if a write fills it. It is that large because LMDB may only resize the map while
    /// no transaction of the process is open, and a served index keeps one open
    /// (`recordList`) while searches read records from other threads.
    /// With `readOnly`, nothing is written (searching an index on read-only media works).
    /// The file's pages are checked first (`LMDBPageCheck`): damage throws `StoreError.corrupt`,
    /// unless `allowDamaged`, when only reading a damaged database throws (a rebuild salvaging the cache).
    public init(folder: URL, initialMapSize: Int = 1 << 40, readOnly: Bool = false, allowDamaged: Bool = false) throws(StoreError) {
        self.folder = folder
        env = try LMDBEnvironment(path: folder.path, databases: ["meta", "records", "vectors", "cache"] + Self.lexicalDatabases + [Self.termsDatabase],
                                  optional: Set(Self.lexicalDatabases + [Self.termsDatabase]), initialMapSize: initialMapSize, readOnly: readOnly,
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
    /// A vector is looked up in the current build's vector file first, then in the pending
    /// cache an interrupted build left, then in the cache database.
    public func cachedVectors(_ keys: [[UInt8]], dimension: Int) throws(StoreError) -> [[Float]?] {
        let file = try? currentVectorFile()
        var pendingVectors: [[UInt8]: [Float]] = [:]
        for entry in pending.read().entries where entry.vector.count == dimension { pendingVectors[entry.key] = entry.vector }
        return try env.read { txn throws(StoreError) in
            var out: [[Float]?] = []
            out.reserveCapacity(keys.count)
            for key in keys {
                if let file, file.dimension == dimension, let row = file.row(forKey: key) {
                    out.append(file.copyVector(row: row))
                    continue
                }
                if let vector = pendingVectors[key] {
                    out.append(vector)
                    continue
                }
                out.append(try txn.withValue("cache", key) { bytes -> [Float]? in
                    guard let bytes, bytes.count == dimension * 4 else { return nil }
                    return (0..<dimension).map { bytes.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
                })
            }
            return out
        }
    }

    /// Adds vectors to the build's pending cache, appended and synced before it returns (the
    /// next `commit` moves them into its vector file or the cache database).
    public func cache(_ entries: [(key: [UInt8], vector: ArraySlice<Float>)]) throws(StoreError) {
        guard !readOnly else { throw .readOnly(path: folder.path) }
        guard !entries.isEmpty else { return }
        try pendingChecked.withLock { (checked: inout Bool) throws(StoreError) in
            try pending.append(entries, truncatingTo: checked ? nil : pending.read().intactLength)
            checked = true
        }
    }

    /// Replaces the index's records, vectors and manifest and clears the interrupted-build flag.
    /// `vectors` holds `records.count × dimension` floats in record order and `keys` each
    /// record's cache key: they are written as a new `VectorFile` (synced and renamed into place
    /// first), then one transaction writes the records, the manifest naming the file, moves
    /// the cache's copies of the file's vectors out of the cache and the previous file's
    /// vectors the new one lacks into it, with the pending cache's entries the file lacks.
    /// The previous file and the pending cache are removed after the commit.
    /// With `lexical` (the records' postings, document ids = record ids), the lexicon and
    /// postings are replaced in the same transaction.
    public func commit(records: [IndexRecord], vectors: [Float], keys: [[UInt8]], manifest: Manifest,
                       lexical: LexicalIndex? = nil) throws(StoreError) {
        let dim = manifest.model.dimension
        precondition(vectors.count == records.count * dim)
        try vectors.withUnsafeBufferPointer { (v) throws(StoreError) in
            try commit(records: records, vector: { v.baseAddress! + $0 * dim }, keys: keys, manifest: manifest, lexical: lexical)
        }
    }

    /// `commit`, with record `i`'s vector read from `vector(i)` as the file is written (an
    /// imported .npy, mapped, is never held in memory whole).
    public func commit(records: [IndexRecord], vector: (Int) -> UnsafePointer<Float>, keys: [[UInt8]], manifest: Manifest,
                       lexical: LexicalIndex? = nil) throws(StoreError) {
        precondition(keys.count == records.count)
        try commit(records: records, vector: vector, key: { keys[$0] }, manifest: manifest, lexical: lexical)
    }

    /// `commit`, with record `i`'s cache key made by `key(i)` when the file is written (a
    /// 10-million-record import never holds them all as arrays).
    public func commit(records: [IndexRecord], vector: (Int) -> UnsafePointer<Float>, key: (Int) -> [UInt8], manifest: Manifest,
                       lexical: LexicalIndex? = nil) throws(StoreError) {
        let dim = manifest.model.dimension
        let previous = try? currentVectorFile()
        removeStrayVectorFiles(keeping: previous.map { [$0.url.lastPathComponent] } ?? [])
        let name = VectorFile.fileName(tag: UUID().uuidString.lowercased())
        let url = folder.appendingPathComponent(name)
        try VectorFile.write(to: url, dimension: dim, count: records.count, labelOrder: manifest.labels,
                             partition: { (records[$0].split, records[$0].label) }, key: key, vector: vector)
        let file = try VectorFile(url: url)
        let pendingEntries = pending.read().entries
        var manifest = manifest
        manifest.vectorFile = .init(name: name, rows: records.count)
        let json = Array(manifest.json.text.utf8)
        do {
            try env.write { txn throws(StoreError) in
                try txn.clear("records")
                try txn.clear("vectors")
                for (i, record) in records.enumerated() {
                    try txn.put("records", UInt32(i).keyBytes, record.encoded(), append: true)
                }
                // One copy of each vector: what the file holds leaves the cache...
                var overlap: [[UInt8]] = []
                try txn.forEach("cache") { key, _ throws(StoreError) in
                    let k = Array(key)
                    if file.row(forKey: k) != nil { overlap.append(k) }
                }
                for key in overlap { try txn.delete("cache", key) }
                // ...and what only the previous file held joins it, for a later build to reuse.
                if let previous, previous.dimension == dim {
                    var kept: [(key: [UInt8], row: Int)] = []
                    previous.forEachKey { key, row in if file.row(forKey: key) == nil { kept.append((key, row)) } }
                    for (key, row) in kept { try txn.put("cache", key, Self.bytes(previous.copyVector(row: row)[...])) }
                }
                // Embedded for this build but not in it (the data changed since a killed build).
                for entry in pendingEntries where entry.vector.count != dim || file.row(forKey: entry.key) == nil {
                    try txn.put("cache", entry.key, Self.bytes(entry.vector[...]))
                }
                try writeLexical(lexical, txn)
                try txn.put("meta", Array("manifest".utf8), json)
                try txn.delete("meta", Array("state".utf8))
            }
        } catch {
            unlink(url.path)
            throw error
        }
        opened.withLock { $0 = file }
        if let previous { unlink(previous.url.path) }
        pendingChecked.withLock { checked in
            pending.remove()
            checked = false
        }
    }

    /// The vector file `manifest` names (nil for a format-1 manifest, whose vectors are in LMDB);
    /// throws `corrupt` when it is missing or damaged, or does not have the manifest's rows.
    public func vectorFile(for manifest: Manifest) throws(StoreError) -> VectorFile? {
        guard let entry = manifest.vectorFile else { return nil }
        if let file = opened.withLock({ $0 }), file.url.lastPathComponent == entry.name { return file }
        let file = try VectorFile(url: folder.appendingPathComponent(entry.name))
        guard file.rows == entry.rows, file.dimension == manifest.model.dimension else {
            throw .corrupt(path: folder.path, reason: "the vector file has \(file.rows) rows of \(file.dimension) floats, the manifest expects \(entry.rows) of \(manifest.model.dimension)")
        }
        opened.withLock { $0 = file }
        return file
    }

    /// The vector file the stored manifest names (nil before the first build and in format 1).
    public func currentVectorFile() throws(StoreError) -> VectorFile? {
        guard let manifest = try manifest() else { return nil }
        return try vectorFile(for: manifest)
    }

    /// Removes vector files (and temporary ones) of builds that never committed or were replaced.
    func removeStrayVectorFiles(keeping: [String]) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        where name.hasPrefix("vectors-") && !keeping.contains(name) {
            unlink(folder.appendingPathComponent(name).path)
        }
    }

    /// The stored records as a list that reads each from LMDB when asked for, through a read
    /// transaction begun now: it sees these records whatever a later build writes, and keeps
    /// the store open while the list lives. A record that cannot be read comes back with empty
    /// text, split and label `"?"` rather than stopping the process; `verify` names it.
    public func recordList(deleted: Set<UInt32>) throws(StoreError) -> RecordList {
        let view = try env.snapshot()
        let count = try view.read { txn throws(StoreError) in try txn.count("records") }
        return RecordList(count: count, deleted: deleted) { id in
            let key = UInt32(id).keyBytes
            let bytes = try? view.read { txn throws(StoreError) in try txn.get("records", key) }
            return bytes.flatMap { b in b.withUnsafeBytes { IndexRecord(id: UInt32(id), bytes: $0) } }
                ?? IndexRecord(id: UInt32(id), split: "?", label: "?", textA: "", line: 0)
        }
    }

    /// Every record, in id order.
    public func records() throws(StoreError) -> [IndexRecord] {
        let path = folder.path
        return try env.read { txn throws(StoreError) in
            var records: [IndexRecord] = []
            records.reserveCapacity(try txn.count("records"))
            try txn.forEach("records") { key, value throws(StoreError) in
                guard key.count == 4, UInt32(bigEndian: key.loadUnaligned(as: UInt32.self)) == UInt32(records.count),
                      let record = IndexRecord(id: UInt32(records.count), bytes: value) else {
                    throw .corrupt(path: path, reason: "record \(records.count) is unreadable")
                }
                records.append(record)
            }
            return records
        }
    }

    /// The vectors held in LMDB (ids `from..<from + count`, in order: online additions, or a
    /// format-1 index's every vector), `count × dimension` floats.
    public func heldVectors(from: Int, count: Int, dimension: Int) throws(StoreError) -> [Float] {
        let path = folder.path
        return try env.read { txn throws(StoreError) in
            var vectors: [Float] = []
            vectors.reserveCapacity(count * dimension)
            var next = from
            try txn.forEach("vectors") { key, value throws(StoreError) in
                let id = key.count == 4 ? Int(UInt32(bigEndian: key.loadUnaligned(as: UInt32.self))) : -1
                guard id >= from else { return }
                guard id == next, value.count == dimension * 4 else {
                    throw .corrupt(path: path, reason: id != next ? "vector \(next) is missing" : "vector \(id) has \(value.count / 4) floats, expected \(dimension)")
                }
                for i in 0..<dimension { vectors.append(value.loadUnaligned(fromByteOffset: 4 * i, as: Float.self)) }
                next += 1
            }
            guard next == from + count else {
                throw .corrupt(path: path, reason: "\(from + count) records but \(next) vectors")
            }
            return vectors
        }
    }

    /// Every record and its raw vector (`records.count × dimension` floats), in id order.
    public func load(dimension: Int) throws(StoreError) -> (records: [IndexRecord], vectors: [Float]) {
        let records = try records()
        let file = try currentVectorFile()
        let covered = min(file?.rows ?? 0, records.count)
        var vectors = [Float]()
        vectors.reserveCapacity(records.count * dimension)
        if let file {
            guard file.dimension == dimension else {
                throw .corrupt(path: folder.path, reason: "the vector file has \(file.dimension) floats a row, expected \(dimension)")
            }
            for id in 0..<covered {
                guard let row = file.row(ofID: id) else { throw .corrupt(path: folder.path, reason: "the vector file has no row for record \(id)") }
                vectors += UnsafeBufferPointer(start: file.vector(row: row), count: dimension)
            }
        }
        vectors += try heldVectors(from: covered, count: records.count - covered, dimension: dimension)
        return (records, vectors)
    }

    static func bytes(_ floats: ArraySlice<Float>) -> [UInt8] {
        floats.withUnsafeBytes { Array($0) }
    }

    /// Embeddings a build can reuse: the current vector file's rows, the cache's entries and
    /// the pending cache's entries the file lacks (`commit` moves entries between them, so the
    /// file and the cache never hold the same text).
    public func cacheCount() throws(StoreError) -> Int {
        let file = try currentVectorFile()
        let pendingOnly = Set(pending.read().entries.lazy.filter { file?.row(forKey: $0.key) == nil }.map(\.key)).count
        return try (file?.rows ?? 0) + pendingOnly + env.read { txn throws(StoreError) in try txn.count("cache") }
    }

    /// Bytes the index occupies on disk: LMDB's file, the vector files and the pending cache.
    public func sizeOnDisk() -> Int {
        let names = ["data.mdb"] + ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasPrefix("vectors-") || $0 == PendingCache.fileName }
        return names.reduce(0) { total, name in
            total + ((try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.size] as? Int) ?? 0)
        }
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

    /// Stored entry counts (records, vectors: the vector file's rows plus LMDB's), from the
    /// file's header and LMDB's own statistics: no value is read.
    public func entryCounts() throws(StoreError) -> (records: Int, vectors: Int) {
        let fileRows = try currentVectorFile()?.rows ?? 0
        return try env.read { txn throws(StoreError) in (try txn.count("records"), fileRows + (try txn.count("vectors"))) }
    }

    /// Reads every record, vector and cached vector and checks what can be checked without
    /// the data files: keys are ids 0..<n in order, records decode, each vector has `dimension`
    /// finite floats and is not all zeros, cache values have the vector size. Damage LMDB itself
    /// trips on ends in its assertion hook (see `LMDBEnvironment`).
    public func verify(dimension: Int) throws(StoreError) -> Verification {
        var v = Verification()
        // Every page again, whatever an earlier open recorded: reading values through damage
        // LMDB cannot follow would crash.
        v.problems = try env.checkAllPages().sorted { $0.key < $1.key }.map { "data.mdb \($0.key): \($0.value)" }
        guard v.problems.isEmpty else { return v }
        func note(_ problem: String) { if v.problems.count < 20 { v.problems.append(problem) } }
        func checkValues(_ p: UnsafeRawPointer, id: Int) {
            var finite = true, zero = true
            for i in 0..<dimension {
                let x = p.loadUnaligned(fromByteOffset: 4 * i, as: Float.self)
                if !x.isFinite { finite = false }
                if x != 0 { zero = false }
            }
            if !finite { note("vector \(id) holds a NaN or infinity") }
            if zero { note("vector \(id) is all zeros") }
        }
        // The vector file: checksums per block of rows, ids and rows consistent, values plausible.
        let file: VectorFile?
        do { file = try currentVectorFile() } catch {
            v.problems.append(error.description)
            file = nil
        }
        if let file {
            let damage = file.damagedBlocks()
            for b in damage.blocks {
                let first = b * VectorFile.blockRows
                let ids = (first..<min(file.rows, first + VectorFile.blockRows)).map { Int(file.ids[$0]) }
                note("the vector file's rows \(first)..<\(first + ids.count) are damaged (records \(Self.ranges(ids.sorted())))")
            }
            if damage.metaDamaged { note("the vector file's ids, norms or cache keys are damaged") }
            if damage.codesDamaged { note("the vector file's int8 codes (the search's prefilter) are damaged") }
            for row in 0..<file.rows {
                let id = Int(file.ids[row])
                if file.row(ofID: id) != row { note("the vector file's row \(row) and record \(id) do not point at each other") }
                checkValues(UnsafeRawPointer(file.vector(row: row)), id: id)
            }
            v.vectors = file.rows
        }
        try env.read { txn throws(StoreError) in
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
                    checkValues(value.baseAddress!, id: id)
                }
                v.vectors += 1
            }
            if v.records != v.vectors { note("\(v.records) records but \(v.vectors) vectors") }
            try txn.forEach("cache") { _, value throws(StoreError) in
                if value.count != dimension * 4 { note("a cached vector has \(value.count) bytes, not \(dimension * 4)") }
                v.cached += 1
            }
        }
        v.cached += pending.read().entries.count
        return v
    }

    /// `0-3, 7, 9-10` for sorted ids.
    static func ranges(_ ids: [Int]) -> String {
        var parts: [String] = [], i = 0
        while i < ids.count {
            var j = i
            while j + 1 < ids.count && ids[j + 1] == ids[j] + 1 { j += 1 }
            parts.append(i == j ? "\(ids[i])" : "\(ids[i])-\(ids[j])")
            i = j + 1
        }
        return parts.joined(separator: ", ")
    }
}

extension IndexStore {
    /// Copies every vector of `dimension` finite, not-all-zero floats from `other` into this
    /// store's cache (in transactions of 10,000): its cache's entries, and its vector file's rows
    /// whose block checksum holds (or, in a damaged block, whose norm still matches); returns
    /// how many were copied and how many left out.
    public func copyCache(from other: IndexStore, dimension: Int) throws(StoreError) -> (copied: Int, skipped: Int) {
        var batch: [(key: [UInt8], vector: [Float])] = []
        var copied = 0, skipped = 0
        var chunks: [[(key: [UInt8], vector: [Float])]] = []
        try other.env.read { txn throws(StoreError) in
            try txn.forEach("cache") { key, value throws(StoreError) in
                guard key.count == 32, value.count == dimension * 4 else { skipped += 1; return }
                let vector = (0..<dimension).map { value.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
                guard vector.allSatisfy(\.isFinite), vector.contains(where: { $0 != 0 }) else { skipped += 1; return }
                batch.append((Array(key), vector))
                if batch.count == 10_000 { chunks.append(batch); batch.removeAll(keepingCapacity: true) }
            }
        }
        // What the other store's interrupted build had embedded (each entry checksummed).
        for entry in other.pending.read().entries {
            guard entry.vector.count == dimension, entry.vector.allSatisfy(\.isFinite),
                  entry.vector.contains(where: { $0 != 0 }) else { skipped += 1; continue }
            batch.append(entry)
            if batch.count == 10_000 { chunks.append(batch); batch.removeAll(keepingCapacity: true) }
        }
        // The other store's vector file: rows of blocks whose checksum holds, and in a damaged
        // block the rows whose norm still matches, when its keys and norms do.
        if let file = try? other.currentVectorFile(), file.dimension == dimension {
            let damage = file.damagedBlocks()
            if damage.metaDamaged {
                skipped += file.rows
            } else {
                let bad = Set(damage.blocks)
                file.forEachKey { key, row in
                    guard !bad.contains(row / VectorFile.blockRows) || file.normHolds(row: row) else {
                        skipped += 1
                        return
                    }
                    let vector = file.copyVector(row: row)
                    guard vector.allSatisfy(\.isFinite), vector.contains(where: { $0 != 0 }) else { skipped += 1; return }
                    batch.append((key, vector))
                    if batch.count == 10_000 { chunks.append(batch); batch.removeAll(keepingCapacity: true) }
                }
            }
        }
        chunks.append(batch)
        for chunk in chunks where !chunk.isEmpty {
            try cache(chunk.map { ($0.key, $0.vector[...]) })
            copied += chunk.count
        }
        return (copied, skipped)
    }
}
