import ExemplarCore
import Foundation

/// SHA-256 of a weights file, remembered between processes so that repeated commands do not
/// re-read 90–440 MB: one small file per weights path under
/// `$XDG_CACHE_HOME/exemplar/weights-sha256/` (default `~/.cache`), keyed by the path and valid
/// while the file's device, inode, size, modification and status-change times (in nanoseconds)
/// are the ones recorded; any change, or an unreadable record, hashes the file again. Records
/// are written atomically (temporary file, rename); when the folder cannot be written the hash
/// is simply computed every time.
enum WeightsHash {
    /// The file's hash: the recorded one when its stat still matches, else computed (and recorded).
    static func sha256(of url: URL, environment: [String: String] = ProcessInfo.processInfo.environment) throws(EncoderError) -> String {
        let path = url.standardizedFileURL.path
        guard let stamp = stamp(path) else { return try compute(url) }
        let record = recordURL(for: path, environment: environment)
        if let text = try? String(contentsOf: record, encoding: .utf8) {
            let parts = text.split(separator: " ", omittingEmptySubsequences: false)
            if parts.count == 3, parts[0] == "v1", parts[1] == stamp, parts[2].count == 65, parts[2].last == "\n" {
                return String(parts[2].dropLast())
            }
        }
        let hash = try compute(url)
        // Only a file that did not change while it was read is recorded.
        if self.stamp(path) == stamp {
            let folder = record.deletingLastPathComponent()
            let temporary = folder.appendingPathComponent(".\(record.lastPathComponent).\(getpid())")
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try Data("v1 \(stamp) \(hash)\n".utf8).write(to: temporary)
                guard rename(temporary.path, record.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
            } catch {
                try? FileManager.default.removeItem(at: temporary)
            }
        }
        return hash
    }

    /// Device, inode, size, mtime and ctime of `path` as one token, or nil when it cannot be read.
    static func stamp(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return "\(st.st_dev):\(st.st_ino):\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec):\(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)"
    }

    /// Where the record for `path` lives: named by the SHA-256 of the path.
    static func recordURL(for path: String, environment: [String: String]) -> URL {
        let cache: URL
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            cache = URL(fileURLWithPath: xdg)
        } else {
            cache = URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".cache")
        }
        var sha = SHA256()
        sha.update(path)
        return cache.appendingPathComponent("exemplar/weights-sha256/\(sha.hex())")
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
