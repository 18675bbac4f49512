import Foundation

/// LM-BFF's CSV tasks as pandas 1.1.5 (LM-BFF's pinned version) reads and writes them:
/// `pd.read_csv(path, header=None)` and `DataFrame.to_csv(path, header=False, index=False)`.
///
/// Invariants (what makes a round trip byte-identical to pandas):
/// - Reading: the C parser's quoting (`CSVScanner`); a UTF-8 BOM at the start is skipped;
///   blank lines and lines of only spaces and tabs are skipped; the first row fixes the
///   column count, a shorter row is padded with NaN and a longer one is an error.
/// - Column 0 is the label and must be an integer in every row (optional sign, surrounding
///   spaces), so pandas makes it int64 and writes it back in canonical decimal ("+3 " → "3").
/// - Other cells are kept as text, except pandas 1.1.5's default NA strings (`""`, `NA`,
///   `null`, `nan`, `N/A`, ... but not `None`, which pandas 2 added), quoted or not: those
///   become NaN and are written as empty cells. (A column of only numbers would be re-typed
///   by pandas; LM-BFF's sentence columns never are, and this reader keeps them as text.)
/// - Writing: Python's csv writer, QUOTE_MINIMAL, `"` doubled, "\n" after each row; a cell is
///   quoted when it holds `,`, `"` or "\n" (not "\r": the line terminator is "\n" only).
enum PandasCSV {
    /// One data row: the integer label and the other cells (nil where pandas has NaN).
    struct Row: Sendable {
        var label: Int64
        var cells: [String?]
        /// The 1-based line where the row starts.
        var line: Int
    }

    /// pandas 1.1.5's `STR_NA_VALUES` (`_libs/parsers.pyx`).
    static let naValues: Set<String> = [
        "-1.#IND", "1.#QNAN", "1.#IND", "-1.#QNAN", "#N/A N/A", "#N/A", "N/A", "n/a", "NA", "<NA>",
        "#NA", "NULL", "null", "NaN", "-NaN", "nan", "-nan", "",
    ]

    /// The rows of a header-less CSV file, as `pd.read_csv(path, header=None).values.tolist()`.
    static func read(_ bytes: [UInt8], file: String) throws(KShotError) -> [Row] {
        try bytes.withUnsafeBufferPointer { (buffer) throws(KShotError) -> [Row] in
            var scanner = CSVScanner(buffer, start: ByteText.bomLength(buffer), separator: UInt8(ascii: ","), file: file)
            var fields: [CSVScanner.Field] = []
            var rows: [Row] = []
            var columns = 0
            while true {
                let next: Int?
                do throws(DataError) { next = try scanner.next(into: &fields) } catch { throw .data(error) }
                guard let line = next else { break }
                if fields.count == 1, case .input(let range) = fields[0],
                   buffer[range].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    continue  // pandas skips whitespace-only lines as blank
                }
                if columns == 0 {
                    guard fields.count >= 2 else {
                        throw .data(.wrongColumnCount(file: file, line: line, expected: 2, found: fields.count,
                                                      separator: ",", names: ["label", "sentence"]))
                    }
                    columns = fields.count
                } else if fields.count > columns {
                    throw .data(.wrongColumnCount(file: file, line: line, expected: columns, found: fields.count,
                                                  separator: ",", names: []))
                }
                var values: [String] = []
                values.reserveCapacity(fields.count)
                for field in fields {
                    guard let value = scanner.string(field) else { throw .data(.invalidUTF8(file: file, line: line)) }
                    values.append(value)
                }
                guard let label = integer(values[0]) else {
                    throw .labelNotInteger(file: file, line: line, value: values[0])
                }
                var cells: [String?] = values.dropFirst().map { naValues.contains($0) ? nil : $0 }
                while cells.count < columns - 1 { cells.append(nil) }
                rows.append(Row(label: label, cells: cells, line: line))
            }
            return rows
        }
    }

    /// `row` as `to_csv(header=False, index=False)` writes it, with its "\n".
    static func format(_ row: Row) -> String {
        var text = String(row.label)
        for cell in row.cells {
            text += ","
            if let cell { text += quoted(cell) }
        }
        return text + "\n"
    }

    /// A cell under QUOTE_MINIMAL with a "\n" line terminator.
    static func quoted(_ cell: String) -> String {
        guard cell.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A }) else {
            return cell
        }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The int64 pandas' C parser reads from `text` (spaces around, optional sign), or nil.
    static func integer(_ text: String) -> Int64? {
        let spaces: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D]
        var bytes = Substring(text).utf8[...]
        while let first = bytes.first, spaces.contains(first) { bytes = bytes.dropFirst() }
        while let last = bytes.last, spaces.contains(last) { bytes = bytes.dropLast() }
        var digits = bytes
        if let sign = digits.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(String(decoding: bytes, as: UTF8.self))
    }
}
