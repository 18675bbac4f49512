/// Collects a reader's rows: keeps good ones, and throws bad ones or, with `skipBadRows`, notes them.
struct RowCollector {
    let file: String
    let labels: LabelSpace
    let skipBadRows: Bool
    private(set) var result = ReadResult()
    /// The known labels, looked up once per row.
    private let known: [String: String]

    init(file: String, labels: LabelSpace, skipBadRows: Bool) {
        self.file = file
        self.labels = labels
        self.skipBadRows = skipBadRows
        if case .classes(let list) = labels {
            known = Dictionary(list.map { ($0, $0) }, uniquingKeysWith: { first, _ in first })
        } else {
            known = [:]
        }
    }

    mutating func add(_ example: Example) {
        result.examples.append(example)
    }

    /// Throws `error`, or records it as skipped when bad rows are skipped.
    mutating func reject(_ error: DataError) throws(DataError) {
        guard skipBadRows else { throw error }
        result.skipped.append(error)
    }

    /// `label` when the label space accepts it (the label list's own string, to share storage).
    func checkLabel(_ label: String, line: Int) throws(DataError) -> String {
        switch labels {
        case .any:
            return label
        case .classes(let list):
            guard let canonical = known[label] else {
                throw .unknownLabel(file: file, line: line, label: label, known: list)
            }
            return canonical
        case .regression:
            guard let value = Double(label), value.isFinite else {
                throw .notANumber(file: file, line: line, label: label)
            }
            return label
        }
    }

    /// `text`, unless it is blank.
    func checkText(_ text: String, column: String, line: Int) throws(DataError) -> String {
        if ByteText.isBlank(text) { throw .emptyText(file: file, line: line, column: column) }
        return text
    }
}
