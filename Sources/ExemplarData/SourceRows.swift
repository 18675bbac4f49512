/// The raw text of chosen rows of a data file, so a subset can be written in the file's own
/// layout (its header, delimiters, quoting and columns untouched).
///
/// A row is the lines from its start line (`Example.line`, 1-based) up to the next row's start
/// line, trailing blank lines dropped; the header is every line before the first row.
public struct SourceRows: Sendable {
    /// The lines before the first row, with their line ends.
    public let header: String
    /// Each row's text by its start line, with its line ends.
    public let rows: [Int: String]

    /// Splits `bytes` (a whole data file) at the start lines of all its rows, `starts`.
    public init(bytes: [UInt8], starts: [Int]) {
        var lineStarts = [0]   // byte offset of each line (index 0 = line 1)
        for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") && i + 1 < bytes.count {
            lineStarts.append(i + 1)
        }
        func offset(ofLine line: Int) -> Int { line - 1 < lineStarts.count ? lineStarts[line - 1] : bytes.count }
        let sorted = Array(Set(starts.filter { $0 >= 1 })).sorted()
        header = String(decoding: bytes[0..<(sorted.first.map(offset(ofLine:)) ?? 0)], as: UTF8.self)
        var rows: [Int: String] = [:]
        for (i, line) in sorted.enumerated() {
            let end = i + 1 < sorted.count ? offset(ofLine: sorted[i + 1]) : bytes.count
            var row = Array(bytes[offset(ofLine: line)..<end])
            // Drop trailing blank lines (LF or CRLF); end the row with a line end.
            func endsBlank() -> Int? {
                if row.count >= 2, row[row.count - 1] == 10, row[row.count - 2] == 10 { return 1 }
                if row.count >= 3, row[row.count - 1] == 10, row[row.count - 2] == 13, row[row.count - 3] == 10 { return 2 }
                return nil
            }
            while let drop = endsBlank() { row.removeLast(drop) }
            if row.last != 10 { row.append(10) }
            rows[line] = String(decoding: row, as: UTF8.self)
        }
        self.rows = rows
    }
}
