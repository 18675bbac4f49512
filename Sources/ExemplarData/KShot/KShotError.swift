import ExemplarCore

/// Why a k-shot split cannot be made, naming the file, the line and what to do.
public enum KShotError: ExemplarError, Hashable {
    public var exitCode: Int32 { 2 }

    /// A dataset file is missing, unreadable, not UTF-8, or has a malformed row.
    case data(DataError)
    /// A CSV task's label cell is not an integer (LM-BFF's CSV labels are 0, 1, 2, ...).
    case labelNotInteger(file: String, line: Int, value: String)
    /// A label has fewer training rows than K-shot train plus dev need.
    case notEnoughExamples(task: String, file: String, label: String, count: Int, needed: Int, k: Int)

    public var description: String {
        switch self {
        case .data(let error):
            return error.description
        case .labelNotInteger(let file, let line, let value):
            return "\(file):\(line): label \"\(value)\" is not an integer; LM-BFF's CSV tasks hold label,sentence rows with labels 0, 1, 2, ..."
        case .notEnoughExamples(let task, let file, let label, let count, let needed, let k):
            return "\(file): \(task) label \"\(label)\" has \(count) training rows, but K=\(k) needs \(needed) (train and dev); "
                + "use a smaller --k, or --allow-short to write shorter splits as LM-BFF's script silently does"
        }
    }
}
