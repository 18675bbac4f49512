import ExemplarJSON
import ExemplarKernels
import Foundation

/// One build's vectors, the only stored copy of them, laid out for search and memory-mapped.
///
/// Rows are grouped by (split, label) partition, each partition's rows in id order, so one
/// partition is one contiguous block that a search reads without touching the others.
/// Layout (every section starts on a 4096-byte boundary):
///
/// | section | contents |
/// |---|---|
/// | header | `EXVECF01`, UInt64 JSON length, JSON: dimension, rows, block rows, partitions (split, label, first row, rows), section offsets, checksums |
/// | `ids` | UInt32 per row: the record id |
/// | `rowOfID` | UInt32 per record id: its row |
/// | `norms` | Float per row: ‖v‖ as `Vectors.normalize` computes it (squares summed in index order) |
/// | `keys` | (cache key: 32 bytes, row: UInt32) per row, sorted by key: the embedding cache's view of the rows |
/// | `vectors` | Float × dimension per row, as the encoder gave them (not normalised) |
/// | `scales` | (files with `codes: int8`) Float × dimension per partition: `max |u_i| / 127` over its unit vectors `u` |
/// | `codes` | (files with `codes: int8`) Int8 × dimension per row: `round(u_i / scale_i)`, the scan's prefilter |
///
/// The int8 codes let an exact search read a quarter of the bytes: `ExactIndex` scores the
/// codes, bounds their error (at most `Σ |q_i| · scale_i / 2`) and rescores every row the bound
/// cannot rule out from the float32 vectors, so results are those of a float32 scan.
/// The header's checksums (one per block of `blockRows` vector rows, one over the ids, norms
/// and keys, one over the scales and codes) let `verify` name damaged rows and `build --rebuild` keep the intact blocks.
/// A file is written whole to a temporary name, synced and renamed before the LMDB commit
/// that names it, so a kill leaves either no file or a complete one.
///
/// Threading: the mapping is `PROT_READ` and never changes after `init`, so any thread may
/// read it; it is unmapped when the last reference goes away. Hence `@unchecked Sendable`.
public final class VectorFile: @unchecked Sendable {
    /// One (split, label) block of rows.
    public struct Partition: Sendable, Equatable {
        public let split: String
        public let label: String
        public let firstRow: Int
        public let rows: Int
    }

    static let magic = Array("EXVECF01".utf8)
    /// Vector rows per checksum block.
    public static let blockRows = 1024

    public let url: URL
    public let dimension: Int
    /// Rows in the file (= record ids `0..<rows` it covers).
    public let rows: Int
    public let partitions: [Partition]
    /// Checksum of each block of `blockRows` vector rows, then of the other sections.
    let blockChecksums: [UInt64]
    let metaChecksum: UInt64
    /// Checksum of the scales and codes sections (nil: the file has none).
    let codesChecksum: UInt64?
    private let base: UnsafeRawPointer
    private let length: Int
    let offsets: Offsets

    struct Offsets {
        var ids = 0, rowOfID = 0, norms = 0, keys = 0, vectors = 0, scales = 0, codes = 0, end = 0

        /// `partitions`: how many scale rows the codes need (nil: no codes).
        init(rows: Int, dimension: Int, headerBytes: Int, codedPartitions partitions: Int?) {
            func align(_ x: Int) -> Int { (x + 4095) & ~4095 }
            ids = align(headerBytes)
            rowOfID = align(ids + 4 * rows)
            norms = align(rowOfID + 4 * rows)
            keys = align(norms + 4 * rows)
            vectors = align(keys + 36 * rows)
            end = vectors + 4 * rows * dimension
            if let partitions {
                scales = align(end)
                codes = align(scales + 4 * dimension * partitions)
                end = codes + rows * dimension
            }
        }
    }

    /// The file's name in an index's store folder, for a build `tag`.
    public static func fileName(tag: String) -> String { "vectors-\(tag).bin" }

    /// Maps the file at `url`. Throws `StoreError.corrupt` when it is missing, short or not one of ours.
    public init(url: URL) throws(StoreError) {
        self.url = url
        // Named like data.mdb's damage: the store folder, so the advice names the index folder.
        let folderPath = url.deletingLastPathComponent().path, name = url.lastPathComponent
        func damaged(_ reason: String) -> StoreError { .corrupt(path: folderPath, reason: reason) }
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw damaged("the vector file \(name) cannot be opened: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw damaged("the vector file \(name) cannot be read: \(String(cString: strerror(errno)))") }
        let size = Int(info.st_size)
        guard size >= 16 else { throw damaged("the vector file \(name) is truncated (\(size) bytes)") }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            throw damaged("the vector file \(name) cannot be mapped: \(String(cString: strerror(errno)))")
        }
        let header: Header
        do {
            header = try Self.readHeader(UnsafeRawBufferPointer(start: mapped, count: size))
        } catch {
            munmap(mapped, size)
            throw damaged("the vector file \(name): \(error)")
        }
        base = UnsafeRawPointer(mapped)
        length = size
        dimension = header.dimension
        rows = header.rows
        partitions = header.partitions
        blockChecksums = header.blocks
        metaChecksum = header.meta
        codesChecksum = header.codes
        offsets = header.offsets
    }

    struct Header {
        var dimension: Int, rows: Int, partitions: [Partition], blocks: [UInt64], meta: UInt64, codes: UInt64?, offsets: Offsets
    }

    struct HeaderProblem: Error, CustomStringConvertible {
        let description: String
    }

    /// The header of a mapped file, checked against the file's size.
    private static func readHeader(_ head: UnsafeRawBufferPointer) throws -> Header {
        let size = head.count
        guard Array(head[0..<8]) == magic else { throw HeaderProblem(description: "first bytes are not \(String(decoding: magic, as: UTF8.self))") }
        let jsonLength = Int(head.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian)
        guard jsonLength > 0, jsonLength <= size - 16 else {
            throw HeaderProblem(description: "header length \(jsonLength) does not fit its \(size) bytes (truncated or overwritten)")
        }
        let o = try JSONReader(bytes: Array(head[16..<(16 + jsonLength)]))
        func required(_ key: String, _ v: Int?) throws -> Int {
            guard let v else { throw o.error(key, "is missing") }
            return v
        }
        let dimension = try required("dimension", o.int("dimension", range: 1...1 << 20))
        let rows = try required("rows", o.int("rows", range: 0...Int(UInt32.max)))
        guard try o.int("blockRows") == blockRows else { throw o.error("blockRows", "must be \(blockRows)") }
        let parts = try (o.objects("partitions") ?? []).map { p -> Partition in
            guard let split = try p.string("split"), let label = try p.string("label") else { throw o.error("partitions", "need a split and a label") }
            return Partition(split: split, label: label, firstRow: try required("first", p.int("first", range: 0...rows)),
                             rows: try required("rows", p.int("rows", range: 0...rows)))
        }
        let blocks = try (o.strings("checksums") ?? []).map { s -> UInt64 in
            guard let x = UInt64(s, radix: 16) else { throw o.error("checksums", "must be hex strings") }
            return x
        }
        guard let metaText = try o.string("metaChecksum"), let meta = UInt64(metaText, radix: 16) else {
            throw o.error("metaChecksum", "must be a hex string")
        }
        var codes: UInt64?
        if let kind = try o.string("codes") {
            guard kind == "int8" else { throw o.error("codes", "must be \"int8\", got \"\(kind)\"") }
            guard let text = try o.string("codesChecksum"), let x = UInt64(text, radix: 16) else {
                throw o.error("codesChecksum", "must be a hex string")
            }
            codes = x
        }
        let offsets = Offsets(rows: rows, dimension: dimension, headerBytes: 16 + jsonLength,
                              codedPartitions: codes == nil ? nil : parts.count)
        guard offsets.end == size else {
            throw HeaderProblem(description: "size is \(size) bytes, its header describes \(offsets.end) (truncated or overwritten)")
        }
        guard parts.reduce(0, { $0 + $1.rows }) == rows,
              zip(parts, parts.dropFirst()).allSatisfy({ $0.firstRow + $0.rows == $1.firstRow }),
              parts.first.map({ $0.firstRow == 0 }) ?? true,
              blocks.count == (rows + blockRows - 1) / blockRows else {
            throw HeaderProblem(description: "partitions or checksums do not add up to its \(rows) rows")
        }
        return Header(dimension: dimension, rows: rows, partitions: parts, blocks: blocks, meta: meta, codes: codes, offsets: offsets)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), length) }

    // MARK: Reading

    /// The raw vector of file row `row`.
    @inline(__always) public func vector(row: Int) -> UnsafePointer<Float> {
        (base + offsets.vectors).assumingMemoryBound(to: Float.self) + row * dimension
    }

    /// Raw vectors from row `first` on, `dimension` floats each.
    public var vectors: UnsafePointer<Float> { (base + offsets.vectors).assumingMemoryBound(to: Float.self) }
    /// ‖v‖ of each row (`Vectors.normalize`'s norm, before its 1e-12 floor).
    public var norms: UnsafePointer<Float> { (base + offsets.norms).assumingMemoryBound(to: Float.self) }
    /// The record id of each row.
    public var ids: UnsafePointer<UInt32> { (base + offsets.ids).assumingMemoryBound(to: UInt32.self) }

    /// The int8 codes of every row (`dimension` per row, file order), if the file has them.
    public var codes: UnsafePointer<Int8>? {
        codesChecksum == nil ? nil : (base + offsets.codes).assumingMemoryBound(to: Int8.self)
    }

    /// The per-dimension scales of partition `partition`'s codes (`dimension` floats), if the file has codes.
    public func codeScales(partition: Int) -> UnsafePointer<Float>? {
        codesChecksum == nil ? nil : (base + offsets.scales).assumingMemoryBound(to: Float.self) + partition * dimension
    }

    /// Asks the kernel to start reading the pages that scoring records `ids` touches (their
    /// row numbers, then their norms and vectors; `MADV_WILLNEED`), so that a search over
    /// scattered candidates on a cold page cache waits for the disk about twice, not three
    /// times per candidate. Only advice: nothing is read here, and a failure changes nothing.
    public func prefetch(ids: [Int]) {
        let covered = ids.filter { $0 >= 0 && $0 < rows }
        for id in covered { advise(offsets.rowOfID + 4 * id, 4) }
        for id in covered {
            guard let row = row(ofID: id) else { continue }
            advise(offsets.norms + 4 * row, 4)
            advise(offsets.vectors + 4 * dimension * row, 4 * dimension)
        }
    }

    private func advise(_ offset: Int, _ count: Int) {
        let page = Self.pageSize, start = offset / page * page
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), (offset + count - start + page - 1) / page * page, MADV_WILLNEED)
    }

    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// The file row holding record `id`, or nil when the file does not cover it.
    @inline(__always) public func row(ofID id: Int) -> Int? {
        guard id >= 0, id < rows else { return nil }
        let r = Int((base + offsets.rowOfID).assumingMemoryBound(to: UInt32.self)[id])
        return r < rows ? r : nil
    }

    /// A row whose vector was cached under `key` (the embedding cache's key of its text), if any.
    public func row(forKey key: [UInt8]) -> Int? {
        guard key.count == 32 else { return nil }
        let table = base + offsets.keys
        var low = 0, high = rows
        while low < high {
            let mid = (low + high) / 2
            let c = key.withUnsafeBytes { memcmp(table + 36 * mid, $0.baseAddress!, 32) }
            if c == 0 { return Int(table.loadUnaligned(fromByteOffset: 36 * mid + 32, as: UInt32.self)) }
            if c < 0 { low = mid + 1 } else { high = mid }
        }
        return nil
    }

    /// Every (cache key, row) pair, sorted by key.
    public func forEachKey(_ body: ([UInt8], Int) -> Void) {
        let table = base + offsets.keys
        for i in 0..<rows {
            body(Array(UnsafeRawBufferPointer(start: table + 36 * i, count: 32)),
                 Int(table.loadUnaligned(fromByteOffset: 36 * i + 32, as: UInt32.self)))
        }
    }

    /// A copy of row `row`'s raw vector.
    public func copyVector(row: Int) -> [Float] { Array(UnsafeBufferPointer(start: vector(row: row), count: dimension)) }

    // MARK: Checking

    /// Blocks of `blockRows` rows whose bytes no longer match their checksum, whether the
    /// ids, norms and keys do, and whether the scales and codes do (they are derived from the
    /// vectors: a rebuild writes them anew). Reads the whole file.
    public func damagedBlocks() -> (blocks: [Int], metaDamaged: Bool, codesDamaged: Bool) {
        var bad: [Int] = []
        for b in blockChecksums.indices where Self.checksum(blockBytes(b)) != blockChecksums[b] { bad.append(b) }
        let codesDamaged = codesChecksum.map {
            Self.checksum(UnsafeRawBufferPointer(start: base + offsets.scales, count: offsets.end - offsets.scales)) != $0
        } ?? false
        return (bad, Self.checksum(metaBytes) != metaChecksum, codesDamaged)
    }

    /// Whether row `row`'s vector still has the norm written beside it (bit for bit): the
    /// per-row check that lets a damaged block's intact rows be salvaged. A flip in a low
    /// mantissa bit can pass it; such a vector differs from the written one by about 1e-7.
    public func normHolds(row: Int) -> Bool {
        let norm = Vectors.norm(vector(row: row), count: dimension)
        return norm.bitPattern == norms[row].bitPattern && norm > 0
    }

    func blockBytes(_ b: Int) -> UnsafeRawBufferPointer {
        let first = b * Self.blockRows, n = min(Self.blockRows, rows - first)
        return UnsafeRawBufferPointer(start: base + offsets.vectors + 4 * first * dimension, count: 4 * n * dimension)
    }

    var metaBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + offsets.ids, count: offsets.vectors - offsets.ids)
    }

    /// A fast 64-bit checksum (four multiply-rotate lanes over 8-byte words): it finds damage, it is not a cryptographic hash.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let k1: UInt64 = 0x9E37_79B9_7F4A_7C15, k2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        var a: UInt64 = 1, b: UInt64 = 2, c: UInt64 = 3, d: UInt64 = 4
        @inline(__always) func mix(_ h: UInt64, _ w: UInt64) -> UInt64 {
            let x = (h ^ (w &* k2)) &* k1
            return (x << 31) | (x >> 33)
        }
        let n = bytes.count, p = bytes.baseAddress
        var i = 0
        if let p {
            while i + 32 <= n {
                a = mix(a, p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                b = mix(b, p.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
                c = mix(c, p.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))
                d = mix(d, p.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
                i += 32
            }
            while i < n { a = mix(a, UInt64(p.load(fromByteOffset: i, as: UInt8.self)) | 0x100); i += 1 }
        }
        return mix(mix(mix(mix(UInt64(n), a), b), c), d)
    }

    // MARK: Writing

    /// What `write` needs of each record: its partition and cache key.
    public struct RowSource {
        public var split: String
        public var label: String
        public var key: [UInt8]
        public init(split: String, label: String, key: [UInt8]) {
            self.split = split
            self.label = label
            self.key = key
        }
    }

    /// Writes `vectors` (`records.count × dimension`, record order) as a vector file at `url`.
    public static func write(to url: URL, dimension: Int, records: [RowSource], labelOrder: [String],
                             vectors: UnsafeBufferPointer<Float>) throws(StoreError) {
        precondition(vectors.count == records.count * dimension)
        try write(to: url, dimension: dimension, records: records, labelOrder: labelOrder) { vectors.baseAddress! + $0 * dimension }
    }

    /// `write(to:dimension:count:...)` for records given as `RowSource`s.
    public static func write(to url: URL, dimension: Int, records: [RowSource], labelOrder: [String],
                             vector: (Int) -> UnsafePointer<Float>) throws(StoreError) {
        try write(to: url, dimension: dimension, count: records.count, labelOrder: labelOrder,
                  partition: { (records[$0].split, records[$0].label) }, key: { records[$0].key }, vector: vector)
    }

    /// Writes `count` records as a vector file at `url`: record `i` is in partition
    /// `partition(i)` (split, label), has cache key `key(i)` (32 bytes) and vector `vector(i)`
    /// (`dimension` floats). Partitions follow `labelOrder` (then first-seen labels), and within
    /// a label, splits in first-seen order.
    ///
    /// The file is written in place through a shared mapping of `url.tmp`, its whole size
    /// allocated first (a full disk is an error here, never a SIGBUS later), then synced and
    /// renamed (and the folder synced). Memory: the cache keys (36 bytes a record) and two
    /// UInt32s a record beside the mapping; vectors are read as they are written (a mapped .npy
    /// is never copied whole), and the codes are made from the file's own rows.
    public static func write(to url: URL, dimension: Int, count n: Int, labelOrder: [String],
                             partition: (Int) -> (split: String, label: String),
                             key: (Int) -> [UInt8], vector: (Int) -> UnsafePointer<Float>) throws(StoreError) {
        // Partitions: labels in order, then splits by first appearance; a record's partition slot.
        struct Slot: Hashable { var split: String, label: String }
        var slotOf: [Slot: Int] = [:], slots: [Slot] = [], labels = labelOrder
        var recordSlot = [UInt32](repeating: 0, count: n)
        for i in 0..<n {
            let (split, label) = partition(i)
            let slot = Slot(split: split, label: label)
            if let s = slotOf[slot] { recordSlot[i] = UInt32(s); continue }
            slotOf[slot] = slots.count
            recordSlot[i] = UInt32(slots.count)
            slots.append(slot)
            if !labels.contains(label) { labels.append(label) }
        }
        var sizes = [Int](repeating: 0, count: slots.count)
        for s in recordSlot { sizes[Int(s)] += 1 }
        var partitions: [Partition] = [], firstRowOfSlot = [Int](repeating: 0, count: slots.count), rowsSoFar = 0
        for label in labels {
            for (s, slot) in slots.enumerated() where slot.label == label {
                partitions.append(Partition(split: slot.split, label: label, firstRow: rowsSoFar, rows: sizes[s]))
                firstRowOfSlot[s] = rowsSoFar
                rowsSoFar += sizes[s]
            }
        }
        let blockCount = (n + blockRows - 1) / blockRows
        // The header's length fixes the offsets: checksums are fixed-width hex, so a header
        // with zeros has the final one's length.
        func header(blocks: [UInt64], meta: UInt64, codes: UInt64) -> [UInt8] {
            let json = JSONValue.object([
                ("dimension", .int(dimension)), ("rows", .int(n)), ("blockRows", .int(blockRows)),
                ("partitions", .array(partitions.map { .object([("split", .string($0.split)), ("label", .string($0.label)),
                                                                ("first", .int($0.firstRow)), ("rows", .int($0.rows))]) })),
                ("checksums", .array(blocks.map { .string(hex($0)) })), ("metaChecksum", .string(hex(meta))),
                ("codes", .string("int8")), ("codesChecksum", .string(hex(codes))),
            ])
            let text = Array(json.text.utf8)
            return magic + withUnsafeBytes(of: UInt64(text.count).littleEndian) { Array($0) } + text
        }
        let headerLength = header(blocks: [UInt64](repeating: 0, count: blockCount), meta: 0, codes: 0).count
        let offsets = Offsets(rows: n, dimension: dimension, headerBytes: headerLength, codedPartitions: partitions.count)

        let temporary = url.appendingPathExtension("tmp")
        let path = temporary.path
        func failed(_ what: String, _ code: Int32 = errno) -> StoreError {
            .io(path: path, operation: "\(what) the vector file", message: StoreError.systemMessage(code, text: String(cString: strerror(code))))
        }
        unlink(path)
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failed("create") }
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(path) }
        }
        let allocated = posix_fallocate(fd, 0, off_t(offsets.end))
        guard allocated == 0 else { throw failed("allocate \(offsets.end) bytes for", allocated) }
        guard let mapped = mmap(nil, offsets.end, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            throw failed("map")
        }
        defer { munmap(mapped, offsets.end) }
        let file = UnsafeMutableRawPointer(mapped)
        func section<T>(_ offset: Int, _: T.Type, _ count: Int) -> UnsafeMutablePointer<T> {
            (file + offset).bindMemory(to: T.self, capacity: count)
        }
        // ids (row → record) and rowOfID (record → row): partitions contiguous, ids ascending.
        let ids = section(offsets.ids, UInt32.self, n), rowOfID = section(offsets.rowOfID, UInt32.self, n)
        var next = firstRowOfSlot
        for i in 0..<n {
            let row = next[Int(recordSlot[i])]
            next[Int(recordSlot[i])] += 1
            ids[row] = UInt32(i).littleEndian
            rowOfID[i] = UInt32(row).littleEndian
        }
        recordSlot = []
        // The vectors in row order, with their norms.
        let vectors = section(offsets.vectors, Float.self, n * dimension), norms = section(offsets.norms, Float.self, n)
        for row in 0..<n {
            let source = vector(Int(UInt32(littleEndian: ids[row])))
            (vectors + row * dimension).update(from: source, count: dimension)
            norms[row] = Vectors.norm(source, count: dimension)
        }
        // (cache key, row) sorted by key.
        var keyBytes = [UInt8](repeating: 0, count: 32 * n)
        keyBytes.withUnsafeMutableBytes { all in
            for row in 0..<n {
                let k = key(Int(UInt32(littleEndian: ids[row])))
                precondition(k.count == 32)
                k.withUnsafeBytes { all.baseAddress!.advanced(by: 32 * row).copyMemory(from: $0.baseAddress!, byteCount: 32) }
            }
        }
        keyBytes.withUnsafeBytes { all in
            guard let k = all.baseAddress else { return }
            var byKey = [UInt32](0..<UInt32(n))
            byKey.sort { memcmp(k + 32 * Int($0), k + 32 * Int($1), 32) < 0 }
            let table = file + offsets.keys
            for (i, row) in byKey.enumerated() {
                (table + 36 * i).copyMemory(from: k + 32 * Int(row), byteCount: 32)
                (table + 36 * i + 32).storeBytes(of: row.littleEndian, as: UInt32.self)
            }
        }
        keyBytes = []
        // int8 codes of the unit vectors, one scale per dimension and partition, from the file's rows.
        let scales = section(offsets.scales, Float.self, dimension * partitions.count)
        let codes = section(offsets.codes, Int8.self, n * dimension)
        for (p, part) in partitions.enumerated() {
            let s = scales + p * dimension
            RowCodes.scales(count: part.rows, dimension: dimension, into: s) { i in
                (UnsafePointer(vectors + (part.firstRow + i) * dimension), norms[part.firstRow + i])
            }
            for row in part.firstRow..<(part.firstRow + part.rows) {
                RowCodes.encode(vectors + row * dimension, norm: norms[row], scales: s, dimension: dimension, into: codes + row * dimension)
            }
        }
        // Checksums over the sections as they lie in the file (padding included), then the header.
        let blocks = (0..<blockCount).map { b in
            let first = b * blockRows
            return checksum(UnsafeRawBufferPointer(start: vectors + first * dimension, count: 4 * min(blockRows, n - first) * dimension))
        }
        let meta = checksum(UnsafeRawBufferPointer(start: file + offsets.ids, count: offsets.vectors - offsets.ids))
        let codeSum = checksum(UnsafeRawBufferPointer(start: file + offsets.scales, count: offsets.end - offsets.scales))
        let head = header(blocks: blocks, meta: meta, codes: codeSum)
        precondition(head.count == headerLength, "hex checksums have a fixed width")
        head.withUnsafeBytes { file.copyMemory(from: $0.baseAddress!, byteCount: head.count) }
        guard msync(mapped, offsets.end, MS_SYNC) == 0, fsync(fd) == 0 else { throw failed("sync") }
        guard rename(path, url.path) == 0 else { throw failed("rename into place") }
        ok = true
        syncFolder(url.deletingLastPathComponent())
    }

    static func hex(_ x: UInt64) -> String {
        let s = String(x, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    static func syncFolder(_ folder: URL) {
        let fd = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }
}
