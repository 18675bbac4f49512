/// A problem with a user's input file, with the position at fault.
public enum InputError: Error, CustomStringConvertible, Equatable {
    case cannotRead(file: String, reason: String)
    case invalidUTF8(file: String, line: Int)
    case malformedJSON(file: String, line: Int, reason: String)
    case notAnObject(file: String, line: Int)
    case missingField(file: String, line: Int, field: String)
    case wrongType(file: String, line: Int, field: String, expected: String)

    public var description: String {
        switch self {
        case .cannotRead(let file, let reason):
            return "\(file): cannot read (\(reason))"
        case .invalidUTF8(let file, let line):
            return "\(file):\(line): invalid UTF-8; re-encode the file as UTF-8"
        case .malformedJSON(let file, let line, let reason):
            return "\(file):\(line): malformed JSON (\(reason)); each line must be one JSON object, or use --input-format text"
        case .notAnObject(let file, let line):
            return "\(file):\(line): expected a JSON object like {\"text\": \"...\"}"
        case .missingField(let file, let line, let field):
            return "\(file):\(line): missing field \"\(field)\""
        case .wrongType(let file, let line, let field, let expected):
            return "\(file):\(line): field \"\(field)\" must be \(expected)"
        }
    }
}
