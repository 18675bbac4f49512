import Foundation

/// A build's resume cache: vectors embedded (or imported, or salvaged) by a build that has not
/// committed yet, appended in chunks to `pending-cache.bin` in the store folder.
///
/// Each chunk is one `write` and one `fsync`, so a build killed at any moment keeps every chunk
/// before the one it was writing. The vectors never enter LMDB: the commit copies them once
/// into the build's `VectorFile` and deletes this file, so no freed pages are left behind.
///
/// Layout: `EXPEND01`, then entries of UInt32 float count, 32-byte cache key, the floats, and
/// a UInt64 `VectorFile.checksum` of the entry's preceding bytes. Reading stops at the first
/// entry that is cut or fails its checksum (the chunk a kill interrupted); the next append
/// first truncates the file to the intact entries, so later entries are never hidden behind a
/// torn one.
struct PendingCache {
    static let fileName = "pending-cache.bin"
    static let magic = Array("EXPEND01".utf8)
    static let keySize = 32

    let url: URL

    init(folder: URL) {
        url = folder.appendingPathComponent(Self.fileName)
    }

    init(url: URL) {
        self.url = url
    }

    /// Every intact entry in file order, and the byte length they end at (0 when the file is
    /// missing or does not start with the magic).
    func read() -> (entries: [(key: [UInt8], vector: [Float])], intactLength: Int) {
        guard let data = try? Data(contentsOf: url, options: .alwaysMapped), data.count >= Self.magic.count,
              Array(data.prefix(Self.magic.count)) == Self.magic else { return ([], 0) }
        return data.withUnsafeBytes { raw in
            var entries: [(key: [UInt8], vector: [Float])] = []
            var at = Self.magic.count
            while at + 4 + Self.keySize + 8 <= raw.count {
                let count = Int(raw.loadUnaligned(fromByteOffset: at, as: UInt32.self))
                let body = 4 + Self.keySize + 4 * count
                guard count > 0, count <= 1 << 16, at + body + 8 <= raw.count,
                      VectorFile.checksum(UnsafeRawBufferPointer(rebasing: raw[at..<(at + body)]))
                        == raw.loadUnaligned(fromByteOffset: at + body, as: UInt64.self) else { break }
                let key = Array(raw[(at + 4)..<(at + 4 + Self.keySize)])
                let floats = at + 4 + Self.keySize
                entries.append((key, (0..<count).map { raw.loadUnaligned(fromByteOffset: floats + 4 * $0, as: Float.self) }))
                at += body + 8
            }
            return (entries, entries.isEmpty ? Self.magic.count : at)
        }
    }

    /// Appends `entries` in one write and syncs it. `truncatingTo` (the intact length `read`
    /// found) first cuts off a torn tail a killed append left.
    func append(_ entries: [(key: [UInt8], vector: ArraySlice<Float>)], truncatingTo intact: Int?) throws(StoreError) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.reduce(0) { $0 + 4 + Self.keySize + 4 * $1.vector.count + 8 })
        for entry in entries {
            precondition(entry.key.count == Self.keySize)
            let start = bytes.count
            withUnsafeBytes(of: UInt32(entry.vector.count).littleEndian) { bytes += $0 }
            bytes += entry.key
            entry.vector.withUnsafeBytes { bytes += $0 }
            let sum = bytes.withUnsafeBytes { VectorFile.checksum(UnsafeRawBufferPointer(rebasing: $0[start...])) }
            withUnsafeBytes(of: sum.littleEndian) { bytes += $0 }
        }
        func failed(_ what: String) -> StoreError {
            .io(path: url.path, operation: "\(what) the build's resume cache", message: StoreError.errnoMessage())
        }
        let fd = open(url.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failed("open") }
        defer { close(fd) }
        var end = lseek(fd, 0, SEEK_END)
        if let intact, end > intact {
            guard ftruncate(fd, off_t(intact)) == 0 else { throw failed("truncate") }
            end = off_t(intact)
        }
        if end < Self.magic.count {
            guard ftruncate(fd, 0) == 0 else { throw failed("truncate") }
            bytes = Self.magic + bytes
            end = 0
        }
        var done = 0
        while done < bytes.count {
            let w = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, $0.count - done, end + off_t(done)) }
            if w < 0 {
                if errno == EINTR { continue }
                throw failed("write")
            }
            done += w
        }
        guard fsync(fd) == 0 else { throw failed("sync") }
    }

    /// Deletes the file (after a commit has taken its vectors).
    func remove() {
        unlink(url.path)
    }
}
