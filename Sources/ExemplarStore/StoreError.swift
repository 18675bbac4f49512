/// What can go wrong with an index's storage.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    /// An LMDB call failed.
    case lmdb(path: String, operation: String, message: String)
    /// The memory map is full (handled inside `LMDBEnvironment.write` by growing it).
    case mapFull
    /// The index was built with another model than the one given.
    case modelMismatch(path: String, stored: String, given: String)
    /// The stored data is not what this version writes.
    case corrupt(path: String, reason: String)

    public var description: String {
        switch self {
        case .lmdb(let path, let operation, let message):
            return "\(path): LMDB could not \(operation): \(message)"
        case .mapFull:
            return "LMDB map full"
        case .modelMismatch(let path, let stored, let given):
            return "\(path): index was built with model \(stored), not \(given); rebuild it with this model or pass --model for the one it was built with"
        case .corrupt(let path, let reason):
            return "\(path): index data is damaged (\(reason)); rebuild it with exemplar build"
        }
    }
}
