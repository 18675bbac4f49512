/// How rows are laid out in a dataset file.
///
/// Empty text is an error in every layout except `headerlessCSV`, where LM-BFF reads an empty
/// cell as "" and so do we. Text that is only whitespace counts as empty.
public enum DataLayout: Sendable, Hashable {
    /// GLUE-style TSV (LM-BFF's GLUE tasks): each line is trimmed of surrounding whitespace and
    /// split on tabs, with no quoting, as LM-BFF's tools do (`line.strip().split('\t')`).
    /// A blank line is an error (LM-BFF would crash on it).
    case glueTSV(GLUEColumns)
    /// LM-BFF's CSV tasks (sst-5, mr, cr, mpqa, subj, trec): no header, `label,sentence`,
    /// double-quoted fields as pandas writes them (`""` is a quote; a quoted field may hold
    /// newlines). Blank lines are skipped, as pandas does.
    case headerlessCSV
    /// JSON Lines: one object per line, text in `textField` (and `textBField` for pairs), label
    /// in `labelField` as a string or a number. Blank lines are skipped.
    case jsonl(textField: String = "text", textBField: String? = nil, labelField: String = "label")
    /// CSV or TSV whose first row names the columns. Fields may be double-quoted as in
    /// `headerlessCSV`, whatever the separator; blank lines are skipped.
    case delimited(separator: Character = ",", textColumn: String, textBColumn: String? = nil, labelColumn: String)
}

/// Where one GLUE task keeps its text and label (LM-BFF's `src/processors.py`).
public struct GLUEColumns: Sendable, Hashable {
    /// The task's name, for messages ("SST-2").
    public var task: String
    /// The column names: the header line's, or descriptive names when the file has no header (CoLA).
    public var columns: [String]
    /// Whether the file's first line is a header.
    public var hasHeader: Bool
    /// Whether every file has exactly `columns.count` columns; when false (MNLI, SNLI, whose
    /// train and dev files differ), rows must have as many columns as the file's own header.
    public var fixedColumnCount: Bool
    /// The 0-based column of the sentence (of the first sentence of a pair); a negative index
    /// counts from the end, as in Python (`-1` is the last column).
    public var textA: Int
    /// The column of the second sentence of a pair, or nil.
    public var textB: Int?
    /// The column of the label.
    public var label: Int

    public init(task: String, columns: [String], hasHeader: Bool = true, fixedColumnCount: Bool = true,
                textA: Int, textB: Int? = nil, label: Int) {
        self.task = task
        self.columns = columns
        self.hasHeader = hasHeader
        self.fixedColumnCount = fixedColumnCount
        self.textA = textA
        self.textB = textB
        self.label = label
    }

    /// `index` resolved against a row of `count` columns, or nil when it falls outside.
    static func resolve(_ index: Int, count: Int) -> Int? {
        let resolved = index < 0 ? count + index : index
        return resolved >= 0 && resolved < count ? resolved : nil
    }

    /// Whether a file header `names` fits this layout: the same names at the text and label
    /// columns, and the same column count when it is fixed.
    func accepts(header names: [String]) -> Bool {
        if fixedColumnCount && names.count != columns.count { return false }
        for index in [textA, textB, label].compactMap({ $0 }) {
            guard let mine = Self.resolve(index, count: columns.count),
                  let theirs = Self.resolve(index, count: names.count),
                  names[theirs] == columns[mine] else { return false }
        }
        // The label column must not also be a text column (a header too short for the task).
        let used = [textA, textB, label].compactMap { $0 }.compactMap { Self.resolve($0, count: names.count) }
        return Set(used).count == used.count
    }

    /// The name of the column at `index`, for messages.
    func name(of index: Int) -> String {
        Self.resolve(index, count: columns.count).map { columns[$0] } ?? "column \(index + 1)"
    }
}
