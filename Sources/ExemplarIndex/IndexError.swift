import ExemplarCore
import ExemplarData
import ExemplarStore

/// What can go wrong defining, building or opening an index.
public enum IndexError: ExemplarError {
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
    /// The index was built with another model than the one given.
    case modelMismatch(path: String, stored: String, given: String)
    /// The index's prompt or dimension is not the one asked for; `option` names what asked.
    case settingsMismatch(path: String, message: String, option: String?)
    /// Imported vectors (`build --vectors`) that do not fit the data or the model.
    case vectors(file: String, message: String)
    /// `exemplar merge`: rows (of the data, in order) that no shard file (`build --shard`) and
    /// no cache holds a vector for.
    case shardsMissing(path: String, rows: [Int])

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
        case .modelMismatch(let path, let stored, let given):
            return "\(path): index was built with model \(stored), not \(given); rebuild it with this model or pass --model for the one it was built with"
        case .settingsMismatch(let path, let message, _):
            return "\(path): \(message)"
        case .vectors(let file, let message):
            return "\(file): \(message)"
        case .shardsMissing(let path, let rows):
            return "\(path): \(rows.count) rows have no vector in \(path)/shards or the index (" + IndexShards.describe(rows)
                + "); run the shards that did not finish (exemplar build \(path) --shard I/N), or 'exemplar build \(path)' to embed what is missing here"
        }
    }

    /// The user's input (the definition, the data, the folder, the model given): 2; storage failures: the store's.
    public var exitCode: Int32 {
        switch self {
        case .definition, .notAnIndex, .incomplete, .data, .modelMismatch, .settingsMismatch, .vectors, .shardsMissing: 2
        case .store(let e): e.exitCode
        }
    }

    /// An index that cannot be used as asked is the server's state, not the request's: 500,
    /// except for bad data in a request (400) and a model mismatch (409).
    public var httpStatus: Int {
        switch self {
        case .data: 400
        case .modelMismatch, .settingsMismatch: 409
        case .store(let e): e.httpStatus
        default: 500
        }
    }
}
