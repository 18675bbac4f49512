import Foundation

/// A value worked out from a file (a weights file's SHA-256, the outcome of an LMDB file's page
/// check), remembered between processes while the file is unchanged, so that repeated commands
/// do not re-read hundreds of megabytes: one small record per file path under
/// `$XDG_CACHE_HOME/exemplar/KIND/` (default `~/.cache`), named by the SHA-256 of the path and
/// valid while the file's device, inode, size, modification and status-change times (in
/// nanoseconds) are the ones recorded. Records are written atomically (temporary file, rename);
/// when the folder cannot be written nothing is remembered and the work is simply done again.
public struct FileStampCache: Sendable {
    /// The record folder's name, one per kind of value.
    public let kind: String
    let environment: [String: String]

    public init(kind: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.kind = kind
        self.environment = environment
    }

    /// Device, inode, size, mtime and ctime of `path` as one token, or nil when it cannot be read.
    public static func stamp(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return "\(st.st_dev):\(st.st_ino):\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec):\(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)"
    }

    /// The value recorded for `path` (a single line without spaces) when the file's stamp is `stamp`.
    public func value(for path: String, stamp: String) -> String? {
        guard let text = try? String(contentsOf: recordURL(for: path), encoding: .utf8) else { return nil }
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", parts[1] == stamp, parts[2].count > 1, parts[2].last == "\n" else { return nil }
        return String(parts[2].dropLast())
    }

    /// Records `value` (no spaces or newlines) for `path`, if the file still has `stamp` (the
    /// stamp taken before the value was worked out: a file that changed meanwhile is not recorded).
    public func record(_ value: String, for path: String, stamp: String) {
        precondition(!value.isEmpty && !value.contains(" ") && !value.contains("\n"))
        guard Self.stamp(path) == stamp else { return }
        let record = recordURL(for: path)
        let folder = record.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(record.lastPathComponent).\(getpid())")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("v1 \(stamp) \(value)\n".utf8).write(to: temporary)
            guard rename(temporary.path, record.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
        }
    }

    /// Where the record for `path` lives.
    public func recordURL(for path: String) -> URL {
        let cache: URL
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            cache = URL(fileURLWithPath: xdg)
        } else {
            cache = URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".cache")
        }
        var sha = SHA256()
        sha.update(path)
        return cache.appendingPathComponent("exemplar/\(kind)/\(sha.hex())")
    }
}
