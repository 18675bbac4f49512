/// Reads GLUE-style TSV: lines trimmed as Python's `str.strip()` does, split on tabs, no quoting.
enum GLUEReader {
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, layout: GLUEColumns, into rows: inout RowCollector) throws(DataError) {
        let file = rows.file
        var lines = LineSplitter(bytes, start: ByteText.bomLength(bytes))
        var fields: [Range<Int>] = []
        var expected = layout.columns.count
        if layout.hasHeader {
            guard let first = lines.next() else { return }
            let line = ByteText.pythonStrip(first, in: bytes)
            guard ByteText.isValidUTF8(line, in: bytes) else { throw .invalidUTF8(file: file, line: 1) }
            split(line, in: bytes, into: &fields)
            let header = fields.map { ByteText.string($0, in: bytes) }
            guard layout.accepts(header: header) else {
                throw .wrongLayout(file: file, line: 1, reason: LayoutGuess.headerMismatch(header, layout: layout))
            }
            if !layout.fixedColumnCount { expected = header.count }
        }
        // Resolved once: every row has `expected` columns.
        let textA = GLUEColumns.resolve(layout.textA, count: expected)!
        let textB = layout.textB.map { GLUEColumns.resolve($0, count: expected)! }
        let label = GLUEColumns.resolve(layout.label, count: expected)!
        let names = layout.fixedColumnCount ? layout.columns : []
        var textColumns = [(index: textA, name: layout.name(of: layout.textA))]
        if let textB, let column = layout.textB { textColumns.append((textB, layout.name(of: column))) }

        while let raw = lines.next() {
            let number = lines.lineNumber
            let line = ByteText.pythonStrip(raw, in: bytes)
            do throws(DataError) {
                if line.isEmpty { throw .blankLine(file: file, line: number) }
                guard ByteText.isValidUTF8(line, in: bytes) else { throw .invalidUTF8(file: file, line: number) }
                split(line, in: bytes, into: &fields)
                guard fields.count == expected else {
                    // Stripping the line takes the tab before an empty first or last column.
                    split(raw, in: bytes, into: &fields)
                    if fields.count == expected {
                        for (index, name) in textColumns where ByteText.pythonStrip(fields[index], in: bytes).isEmpty {
                            throw .emptyText(file: file, line: number, column: name)
                        }
                    }
                    throw .wrongColumnCount(file: file, line: number, expected: expected, found: fields.count,
                                            separator: "\t", names: names)
                }
                let a = try rows.checkText(ByteText.string(fields[textA], in: bytes), column: textColumns[0].name, line: number)
                let b = try textB.map { (index) throws(DataError) -> String in
                    try rows.checkText(ByteText.string(fields[index], in: bytes), column: textColumns[1].name, line: number)
                }
                let value = try rows.checkLabel(ByteText.string(fields[label], in: bytes), line: number)
                rows.add(Example(textA: a, textB: b, label: value, line: number))
            } catch {
                if !layout.hasHeader && number == 1, let guess = LayoutGuess(firstLine: ByteText.string(raw, in: bytes)),
                   guess != .cola {
                    throw .wrongLayout(file: file, line: 1, reason: "line 1 is not a \(layout.task) row; \(guess.message)")
                }
                try rows.reject(error)
            }
        }
    }

    /// The tab-separated fields of `line`.
    private static func split(_ line: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>, into fields: inout [Range<Int>]) {
        fields.removeAll(keepingCapacity: true)
        var start = line.lowerBound
        for index in line where bytes[index] == 0x09 {
            fields.append(start..<index)
            start = index + 1
        }
        fields.append(start..<line.upperBound)
    }
}
