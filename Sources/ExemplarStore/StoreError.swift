import ExemplarCore
import Foundation

/// What can go wrong with an index's storage.
public enum StoreError: ExemplarError, Equatable {
    /// An LMDB call failed.
    case lmdb(path: String, operation: String, message: String)
    /// The memory map is full (handled inside `LMDBEnvironment.write` by growing it).
    case mapFull
    /// A file of the index could not be written (disk full, permissions): nothing is damaged.
    case io(path: String, operation: String, message: String)
    /// The stored data is not what this version writes.
    case corrupt(path: String, reason: String)
    /// An online edit was made against a state of the index that is no longer the stored one
    /// (a build replaced it since): refused, so the edit never lands on the new build's ids.
    case staleGeneration(path: String)
    /// The store's files were swapped for others (`exemplar compact`, `build --rebuild`) while
    /// this process had them open: a write is refused rather than going to the old file.
    case replaced(path: String)
    /// Another process has the store open, and the operation needs it to itself.
    case inUse(path: String, processes: [Int32], operation: String)
    /// The index is open read-only (read-only media, or a command that only reads), and a write was asked for.
    case readOnly(path: String)
    /// The index was written by a newer Exemplar, in a format this one cannot read.
    case newerFormat(path: String, format: Int, writtenBy: String?)

    /// A newer format is the user's to fix (upgrade): 2; storage failures: 1.
    public var exitCode: Int32 {
        switch self {
        case .newerFormat, .readOnly: 2
        default: 1
        }
    }

    /// An edit of a read-only index conflicts with how it is served: 409; storage failures: 500.
    public var httpStatus: Int {
        switch self {
        case .readOnly, .staleGeneration, .replaced, .inUse: 409
        default: 500
        }
    }

    /// `text` (the system's message for `code`) with what to do for the errors a write meets.
    static func systemMessage(_ code: Int32, text: String) -> String {
        switch code {
        case ENOSPC: return text + " (the disk is full; free space and run again: the previous state of the index is kept)"
        case EFBIG: return text + " (the file size limit, ulimit -f, is reached; raise it and run again: the previous state is kept)"
        case EIO: return text + " (an I/O error: check the disk)"
        case EDQUOT: return text + " (the disk quota is exceeded)"
        default: return text
        }
    }

    /// `systemMessage` for the current `errno`.
    package static func errnoMessage() -> String {
        let code = errno
        return systemMessage(code, text: String(cString: strerror(code)))
    }

    public var description: String {
        switch self {
        case .lmdb(let path, let operation, let message):
            return "\(path): LMDB could not \(operation): \(message)"
        case .mapFull:
            return "LMDB map full"
        case .io(let path, let operation, let message):
            return "\(path): could not \(operation): \(message)"
        case .corrupt(let path, let reason):
            return "\(path): index data is damaged (\(reason)); rebuild it with 'exemplar build \((path as NSString).deletingLastPathComponent) --rebuild' (the cached vectors that read back are reused)"
        case .staleGeneration(let path):
            return "\(path): the index was rebuilt since this state was loaded; the server now serves the new build (ids may have changed): look the example up again and retry"
        case .replaced(let path):
            return "\(path): the index's files were replaced (compacted or rebuilt) since this process opened them; nothing was written: open it again and retry"
        case .inUse(let path, let processes, let operation):
            return "\(path): cannot \(operation) while other processes have the index open (pid \(processes.map(String.init).joined(separator: ", ")): a server or a build?); stop them and run it again"
        case .readOnly(let path):
            return "\(path): the index is open read-only (it is on read-only media, or cannot be written here); it can be searched but not changed"
        case .newerFormat(let path, let format, let writtenBy):
            return "\(path): index format \(format) was written by Exemplar \(writtenBy ?? "(a newer version)"); "
                + "this Exemplar \(ExemplarVersion.current) reads format \(Manifest.currentFormat) and older. Upgrade Exemplar, or rebuild the index with this one"
        }
    }
}
