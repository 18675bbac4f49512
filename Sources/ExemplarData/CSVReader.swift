/// Reads LM-BFF's header-less `label,sentence` CSV files and CSV/TSV files with a header row.
enum CSVReader {
    /// `label,sentence` rows; an empty sentence cell is "" (LM-BFF's `pd.isna` check gives '').
    static func readHeaderless(_ bytes: UnsafeBufferPointer<UInt8>, into rows: inout RowCollector) throws(DataError) {
        let file = rows.file
        var scanner = CSVScanner(bytes, start: ByteText.bomLength(bytes), separator: UInt8(ascii: ","), file: file)
        var fields: [CSVScanner.Field] = []
        var first = true
        while let line = try scanner.next(into: &fields) {
            do throws(DataError) {
                guard fields.count == 2 else {
                    throw .wrongColumnCount(file: file, line: line, expected: 2, found: fields.count,
                                            separator: ",", names: ["label", "sentence"])
                }
                guard let label = scanner.string(fields[0]), let text = scanner.string(fields[1]) else {
                    throw .invalidUTF8(file: file, line: line)
                }
                rows.add(Example(textA: text, label: try rows.checkLabel(label, line: line), line: line))
            } catch {
                if first, let guess = LayoutGuess(firstLine: firstLine(bytes)), guess != .labelSentenceCSV {
                    throw .wrongLayout(file: file, line: line, reason: "line \(line) is not a label,sentence row; \(guess.message)")
                }
                try rows.reject(error)
            }
            first = false
        }
    }

    /// Rows of a file whose first row names its columns.
    static func readWithHeader(_ bytes: UnsafeBufferPointer<UInt8>, separator: Character, textColumn: String,
                               textBColumn: String?, labelColumn: String, into rows: inout RowCollector) throws(DataError) {
        let file = rows.file
        guard let byte = separator.asciiValue, byte != UInt8(ascii: "\""), byte != 0x0A, byte != 0x0D else {
            throw .invalidLayout(reason: "separator \"\(separator)\" must be one ASCII character other than a quote or a line break")
        }
        var scanner = CSVScanner(bytes, start: ByteText.bomLength(bytes), separator: byte, file: file)
        var fields: [CSVScanner.Field] = []
        guard let headerLine = try scanner.next(into: &fields) else { return }
        var header: [String] = []
        for field in fields {
            guard let name = scanner.string(field) else { throw .invalidUTF8(file: file, line: headerLine) }
            header.append(name)
        }
        func column(_ name: String) throws(DataError) -> Int {
            guard let index = header.firstIndex(of: name) else {
                let list = header.map { "\"\($0)\"" }.joined(separator: ", ")
                throw .wrongLayout(file: file, line: headerLine,
                                   reason: "no column \"\(name)\" in the header; its columns are \(list)")
            }
            return index
        }
        let textA = try column(textColumn)
        let textB = try textBColumn.map { (name) throws(DataError) -> Int in try column(name) }
        let label = try column(labelColumn)

        while let line = try scanner.next(into: &fields) {
            do throws(DataError) {
                guard fields.count == header.count else {
                    throw .wrongColumnCount(file: file, line: line, expected: header.count, found: fields.count,
                                            separator: separator, names: [])
                }
                var values: [String] = []
                values.reserveCapacity(fields.count)
                for field in fields {
                    guard let value = scanner.string(field) else { throw .invalidUTF8(file: file, line: line) }
                    values.append(value)
                }
                let a = try rows.checkText(values[textA], column: textColumn, line: line)
                let b = try textB.map { (index) throws(DataError) -> String in
                    try rows.checkText(values[index], column: textBColumn!, line: line)
                }
                rows.add(Example(textA: a, textB: b, label: try rows.checkLabel(values[label], line: line), line: line))
            } catch {
                try rows.reject(error)
            }
        }
    }

    /// The file's first line as text, for guessing what the file is.
    private static func firstLine(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var lines = LineSplitter(bytes, start: ByteText.bomLength(bytes))
        return lines.next().map { ByteText.string($0, in: bytes) } ?? ""
    }
}
