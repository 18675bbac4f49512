import Foundation

/// Reads JSON Lines: one object per line; blank lines are skipped.
enum JSONLReader {
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, textField: String, textBField: String?, labelField: String,
                     into rows: inout RowCollector) throws(DataError) {
        let file = rows.file
        var lines = LineSplitter(bytes, start: ByteText.bomLength(bytes))
        while let raw = lines.next() {
            let number = lines.lineNumber
            let line = ByteText.pythonStrip(raw, in: bytes)
            if line.isEmpty { continue }
            do throws(DataError) {
                guard ByteText.isValidUTF8(line, in: bytes) else { throw .invalidUTF8(file: file, line: number) }
                let object = try parseObject(Data(UnsafeBufferPointer(rebasing: bytes[line])), file: file, line: number)
                func text(_ field: String) throws(DataError) -> String {
                    guard let value = object[field], !(value is NSNull) else {
                        throw .missingField(file: file, line: number, field: field)
                    }
                    guard let text = value as? String else {
                        throw .wrongType(file: file, line: number, field: field, expected: "a string")
                    }
                    return try rows.checkText(text, column: field, line: number)
                }
                let a = try text(textField)
                let b = try textBField.map { (field) throws(DataError) -> String in try text(field) }
                let label = try labelString(object[labelField], field: labelField, file: file, line: number)
                rows.add(Example(textA: a, textB: b, label: try rows.checkLabel(label, line: number), line: number))
            } catch {
                try rows.reject(error)
            }
        }
    }

    private static func parseObject(_ data: Data, file: String, line: Int) throws(DataError) -> [String: Any] {
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw .malformedJSON(file: file, line: line, reason: detail ?? "not valid JSON")
        }
        guard let object = value as? [String: Any] else {
            throw .malformedJSON(file: file, line: line, reason: "a line holds a JSON value that is not an object")
        }
        return object
    }

    /// A label's string form: a string as is, an integer as digits, any other number as Swift
    /// prints a Double (`3.8`, `1.0`; Python's `str` gives the same).
    private static func labelString(_ value: Any?, field: String, file: String, line: Int) throws(DataError) -> String {
        guard let value, !(value is NSNull) else { throw .missingField(file: file, line: line, field: field) }
        if let text = value as? String { return text }
        if let number = value as? NSNumber {
            switch String(cString: number.objCType) {
            case "c", "B":
                break
            case "f", "d":
                return number.doubleValue.description
            default:
                return number.stringValue
            }
        }
        throw .wrongType(file: file, line: line, field: field, expected: "a string or a number")
    }
}
