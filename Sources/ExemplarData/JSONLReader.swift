import ExemplarJSON

/// Reads JSON Lines: one object per line; blank lines are skipped.
enum JSONLReader {
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, textField: String, textBField: String?, labelField: String,
                     into rows: inout RowCollector) throws(DataError) {
        let file = rows.file
        var lines = LineSplitter(bytes, start: ByteText.bomLength(bytes))
        var ranges: [Range<Int>] = []
        while let raw = lines.next() {
            let number = lines.lineNumber
            let line = ByteText.pythonStrip(raw, in: bytes)
            if line.isEmpty { continue }
            do throws(DataError) {
                guard ByteText.isValidUTF8(line, in: bytes) else { throw .invalidUTF8(file: file, line: number) }
                let lineBytes = UnsafeBufferPointer(rebasing: bytes[line])
                let fields = try parseObject(lineBytes, ranges: &ranges, file: file, line: number)
                func text(_ field: String) throws(DataError) -> String {
                    guard let value = fields.last(where: { $0.0 == field })?.1, value != .null else {
                        throw .missingField(file: file, line: number, field: field)
                    }
                    guard case .string(let text) = value else {
                        throw .wrongType(file: file, line: number, field: field, expected: "a string")
                    }
                    return try rows.checkText(text, column: field, line: number)
                }
                let a = try text(textField)
                let b = try textBField.map { (field) throws(DataError) -> String in try text(field) }
                // The last field of that name wins, as in a dictionary.
                let labelIndex = fields.lastIndex(where: { $0.0 == labelField })
                let label = try labelString(labelIndex.map { fields[$0].1 },
                                            text: labelIndex.map { UnsafeBufferPointer(rebasing: lineBytes[ranges[$0]]) },
                                            field: labelField, file: file, line: number)
                rows.add(Example(textA: a, textB: b, label: try rows.checkLabel(label, line: number), line: number))
            } catch {
                try rows.reject(error)
            }
        }
    }

    /// The fields of the JSON object on a line, and in `ranges` where each field's value is written.
    private static func parseObject(_ bytes: UnsafeBufferPointer<UInt8>, ranges: inout [Range<Int>],
                                    file: String, line: Int) throws(DataError) -> [(String, JSONValue)] {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, fieldRanges: &ranges)
        } catch {
            guard case let .syntax(message, offset) = error else {
                throw .malformedJSON(file: file, line: line, reason: error.description)
            }
            throw .malformedJSON(file: file, line: line, reason: "\(message) at byte \(offset)")
        }
        guard case .object(let fields) = value else {
            throw .malformedJSON(file: file, line: line, reason: "a line holds a JSON value that is not an object")
        }
        return fields
    }

    /// A label's string form: a string as is, an integer (written without a fraction or an
    /// exponent) as digits, any other number as Swift prints a Double (`3.8`, `1.0`; Python's
    /// `str` gives the same). `text` is how the value is written on the line.
    private static func labelString(_ value: JSONValue?, text: UnsafeBufferPointer<UInt8>?, field: String,
                                    file: String, line: Int) throws(DataError) -> String {
        switch value {
        case nil, .null?:
            throw .missingField(file: file, line: line, field: field)
        case .string(let s)?:
            return s
        case .number(let d)?:
            guard let text, !text.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) else {
                return d.description
            }
            let digits = String(decoding: text, as: UTF8.self)
            return Int(digits).map { String($0) } ?? digits
        default:
            throw .wrongType(file: file, line: line, field: field, expected: "a string or a number")
        }
    }
}
