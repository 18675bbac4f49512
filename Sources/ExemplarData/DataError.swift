import ExemplarCore
/// A problem with an input file (a dataset, a file of sentences) or an output file, naming
/// the file, the line and what to do. Exit code 2: the user's input.
public enum DataError: ExemplarError, Hashable {
    /// The file or folder is missing or unreadable.
    case cannotRead(file: String, reason: String)
    /// An output file cannot be created or written.
    case cannotWrite(file: String, reason: String)
    /// The line holds bytes that are not UTF-8.
    case invalidUTF8(file: String, line: Int)
    /// A blank line in a GLUE-style TSV file.
    case blankLine(file: String, line: Int)
    /// A row with too many or too few columns; `names` are the expected columns, when known.
    case wrongColumnCount(file: String, line: Int, expected: Int, found: Int, separator: Character, names: [String])
    /// A label outside the task's label list.
    case unknownLabel(file: String, line: Int, label: String, known: [String])
    /// A regression label (STS-B score) that is not a finite number.
    case notANumber(file: String, line: Int, label: String)
    /// An empty (or whitespace-only) text where the layout needs text.
    case emptyText(file: String, line: Int, column: String)
    /// A double-quoted CSV field that is never closed; `line` is where it opens.
    case unterminatedQuote(file: String, line: Int)
    /// A JSON Lines row that is not one JSON object.
    case malformedJSON(file: String, line: Int, reason: String)
    /// A JSON Lines row that is JSON but not an object.
    case notAnObject(file: String, line: Int)
    /// A JSON Lines row without a field the layout names.
    case missingField(file: String, line: Int, field: String)
    /// A JSON Lines field of the wrong type.
    case wrongType(file: String, line: Int, field: String, expected: String)
    /// The file does not have the layout asked for (a wrong header, another task's file).
    case wrongLayout(file: String, line: Int, reason: String)
    /// The layout itself cannot be used (an unusable separator).
    case invalidLayout(reason: String)

    /// The file the error is about (empty for `invalidLayout`).
    public var file: String {
        switch self {
        case .cannotRead(let file, _), .cannotWrite(let file, _), .notAnObject(let file, _), .invalidUTF8(let file, _), .blankLine(let file, _),
             .wrongColumnCount(let file, _, _, _, _, _), .unknownLabel(let file, _, _, _),
             .notANumber(let file, _, _), .emptyText(let file, _, _), .unterminatedQuote(let file, _),
             .malformedJSON(let file, _, _), .missingField(let file, _, _), .wrongType(let file, _, _, _),
             .wrongLayout(let file, _, _):
            return file
        case .invalidLayout:
            return ""
        }
    }

    /// The 1-based line the error is about, when there is one.
    public var line: Int? {
        switch self {
        case .cannotRead, .cannotWrite, .invalidLayout:
            return nil
        case .notAnObject(_, let line):
            return line
        case .invalidUTF8(_, let line), .blankLine(_, let line), .wrongColumnCount(_, let line, _, _, _, _),
             .unknownLabel(_, let line, _, _), .notANumber(_, let line, _), .emptyText(_, let line, _),
             .unterminatedQuote(_, let line), .malformedJSON(_, let line, _), .missingField(_, let line, _),
             .wrongType(_, let line, _, _), .wrongLayout(_, let line, _):
            return line
        }
    }

    public var exitCode: Int32 { 2 }

    public var description: String {
        switch self {
        case .cannotRead(let file, let reason):
            return "\(file): cannot read (\(reason))"
        case .cannotWrite(let file, let reason):
            return "\(file): cannot write (\(reason))"
        case .notAnObject(let file, let line):
            return "\(file):\(line): expected a JSON object like {\"text\": \"...\"}"
        case .invalidUTF8(let file, let line):
            return "\(file):\(line): invalid UTF-8; re-encode the file as UTF-8 (for example `iconv -f cp1252 -t utf-8`)"
        case .blankLine(let file, let line):
            return "\(file):\(line): blank line; GLUE-style TSV files have none (LM-BFF would fail on it), so delete it or skip bad rows"
        case .wrongColumnCount(let file, let line, let expected, let found, let separator, let names):
            let kind = separator == "\t" ? "tab-separated columns" : "fields separated by \"\(separator)\""
            let which = names.isEmpty ? " (as in the header line)" : " (\(names.joined(separator: ", ")))"
            let hint = separator == "\t"
                ? "a text may hold a stray tab, or the row is cut short; fix the row or skip bad rows"
                : "a text holding \"\(separator)\" must be double-quoted; fix the row or skip bad rows"
            return "\(file):\(line): expected \(expected) \(kind)\(which), found \(found); \(hint)"
        case .unknownLabel(let file, let line, let label, let known):
            let list = known.map { "\"\($0)\"" }.joined(separator: ", ")
            return "\(file):\(line): unknown label \"\(label)\"; this task's labels are \(list). Is the file another task's?"
        case .notANumber(let file, let line, let label):
            return "\(file):\(line): label \"\(label)\" is not a number; regression labels are scores such as 3.8"
        case .emptyText(let file, let line, let column):
            return "\(file):\(line): \"\(column)\" is empty; every row needs its text, so fill it in or skip bad rows"
        case .unterminatedQuote(let file, let line):
            return "\(file):\(line): a double-quoted field opens here and never closes; close it, or write a quote inside a quoted field as \"\""
        case .malformedJSON(let file, let line, let reason):
            return "\(file):\(line): malformed JSON (\(reason)); each line must be one JSON object"
        case .missingField(let file, let line, let field):
            return "\(file):\(line): missing field \"\(field)\"; name the right field in the layout, or add it to every line"
        case .wrongType(let file, let line, let field, let expected):
            return "\(file):\(line): field \"\(field)\" must be \(expected)"
        case .wrongLayout(let file, let line, let reason):
            return "\(file):\(line): \(reason)"
        case .invalidLayout(let reason):
            return "invalid layout: \(reason)"
        }
    }
}
