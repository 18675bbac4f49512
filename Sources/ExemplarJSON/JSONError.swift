import ExemplarCore

/// JSON that cannot be used: text that is not JSON, or a field that is missing, of the wrong
/// type or out of range. `path` names the field (`queries[2].text`; empty for the document).
public enum JSONError: ExemplarError, Equatable {
    /// The text is not JSON; `offset` is the byte where parsing stopped.
    case syntax(message: String, offset: Int)
    /// A field is missing, of the wrong type or out of range.
    case field(path: String, reason: String)

    public var description: String {
        switch self {
        case let .syntax(message, offset): "not valid JSON: \(message) at byte \(offset)"
        case let .field(path, reason): path.isEmpty ? reason : "field \"\(path)\" \(reason)"
        }
    }

    public var exitCode: Int32 { 2 }
    public var httpStatus: Int { 400 }

    public var field: String? {
        if case .field(let path, _) = self, !path.isEmpty { return path }
        return nil
    }

    /// The bare reason, without the path (for callers that print the path their own way).
    public var reason: String {
        switch self {
        case let .syntax(message, offset): "not valid JSON: \(message) at byte \(offset)"
        case let .field(_, reason): reason
        }
    }
}
