import ExemplarData
import ExemplarStore

/// What can go wrong defining, building or opening an index.
public enum IndexError: Error, CustomStringConvertible {
    /// `index.json` is malformed; `field` is the JSON field at fault, when one is.
    case definition(file: String, field: String?, message: String)
    /// The folder is not an index (or not a built one).
    case notAnIndex(path: String, reason: String)
    /// A build was interrupted before the index was ever complete.
    case incomplete(path: String)
    /// A dataset file could not be read.
    case data(DataError)
    /// The LMDB store failed or holds something unexpected.
    case store(StoreError)

    public var description: String {
        switch self {
        case .definition(let file, let field, let message):
            return "\(file): " + (field.map { "field \"\($0)\" " } ?? "") + message
        case .notAnIndex(let path, let reason):
            return "\(path) is not an index: \(reason)"
        case .incomplete(let path):
            return "\(path): the index's first build was interrupted before it finished; run 'exemplar build \(path)' again to resume it"
        case .data(let error):
            return error.description
        case .store(let error):
            return error.description
        }
    }

    /// Whether the error is the user's input (exit code 2) rather than a failure (1).
    public var isInputError: Bool {
        switch self {
        case .definition, .notAnIndex, .incomplete, .data: true
        case .store(let e):
            if case .modelMismatch = e { true } else { false }
        }
    }
}
