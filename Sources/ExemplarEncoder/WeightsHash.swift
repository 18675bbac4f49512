import ExemplarCore
import Foundation

/// SHA-256 of a weights file, remembered between processes (`FileStampCache`, kind
/// `weights-sha256`) so that repeated commands do not re-read 90–440 MB; any change to the
/// file, or an unreadable record, hashes the file again.
enum WeightsHash {
    /// The file's hash: the recorded one when its stat still matches, else computed (and recorded).
    static func sha256(of url: URL, environment: [String: String] = ProcessInfo.processInfo.environment) throws(EncoderError) -> String {
        let path = url.standardizedFileURL.path
        guard let stamp = stamp(path) else { return try compute(url) }
        let cache = FileStampCache(kind: "weights-sha256", environment: environment)
        if let hash = cache.value(for: path, stamp: stamp), hash.count == 64 { return hash }
        let hash = try compute(url)
        cache.record(hash, for: path, stamp: stamp)
        return hash
    }

    /// Device, inode, size, mtime and ctime of `path` as one token (`FileStampCache.stamp`).
    static func stamp(_ path: String) -> String? { FileStampCache.stamp(path) }

    /// Where the record for `path` lives: named by the SHA-256 of the path.
    static func recordURL(for path: String, environment: [String: String]) -> URL {
        FileStampCache(kind: "weights-sha256", environment: environment).recordURL(for: path)
    }

    /// Reads and hashes the whole file.
    static func compute(_ url: URL) throws(EncoderError) -> String {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw .invalidModelFile(path: url.path, reason: "cannot open the weights file to identify the model (is it readable?)")
        }
        defer { try? handle.close() }
        var sha = SHA256()
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 22) ?? Data() } catch {
                throw .invalidModelFile(path: url.path, reason: "cannot read the weights file: \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { sha.update($0) }
        }
        return sha.hex()
    }
}
