import ExemplarData
import ExemplarJSON
import Foundation

/// How sentences are laid out in an input file.
public enum InputFormat: String, Sendable, CaseIterable {
    /// One JSON object per line with a `"text"` string; blank lines are skipped.
    case jsonl
    /// One sentence per line, taken as is (an empty line is an empty sentence).
    case text

    /// The format a path implies: `.jsonl` (or `.json`) means JSON Lines, anything else text.
    public static func inferred(from path: String) -> InputFormat {
        path.hasSuffix(".jsonl") || path.hasSuffix(".json") ? .jsonl : .text
    }
}

/// One sentence read from an input file, with the line it came from.
public struct SentenceRecord: Sendable, Equatable {
    public let text: String
    public let line: Int
    /// The second sentence of a pair, when `SentenceInput` was asked for one and the line has it.
    public var textB: String? = nil
}

/// Reads sentences from JSON Lines or plain text, checking every line.
public enum SentenceInput {
    /// Reads `path` (`-` for standard input). Throws `DataError` naming the file and line
    /// of the first bad line. With `pairField`, JSON Lines objects may also hold a second
    /// sentence there (a string when present).
    public static func read(path: String, format: InputFormat, field: String = "text",
                            pairField: String? = nil) throws(DataError) -> [SentenceRecord] {
        let name = path == "-" ? "<stdin>" : path
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
                throw .cannotRead(file: path, reason: reason)
            }
        }
        return try parse(data, name: name, format: format, field: field, pairField: pairField)
    }

    /// Parses the bytes of a whole input file.
    public static func parse(_ data: Data, name: String, format: InputFormat, field: String = "text",
                             pairField: String? = nil) throws(DataError) -> [SentenceRecord] {
        var records: [SentenceRecord] = []
        var lineNumber = 0
        var failure: DataError?
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            let n = bytes.count
            while start < n {
                var end = start
                while end < n && bytes[end] != 0x0A { end += 1 }
                lineNumber += 1
                var stop = end
                if stop > start && bytes[stop - 1] == 0x0D { stop -= 1 }
                var first = start
                // A UTF-8 byte order mark before the first JSON line is not part of the JSON.
                if format == .jsonl, first == 0, stop >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { first = 3 }
                let slice = UnsafeBufferPointer(rebasing: bytes[first..<stop])
                switch format {
                case .text:
                    guard let line = String(validating: slice, as: UTF8.self) else {
                        failure = .invalidUTF8(file: name, line: lineNumber)
                        return
                    }
                    records.append(SentenceRecord(text: line, line: lineNumber))
                case .jsonl:
                    do throws(DataError) {
                        if let (text, textB) = try jsonText(slice, field: field, pairField: pairField, name: name, line: lineNumber) {
                            records.append(SentenceRecord(text: text, line: lineNumber, textB: textB))
                        }
                    } catch {
                        failure = error
                        return
                    }
                }
                start = end + 1
            }
        }
        if let failure { throw failure }
        return records
    }

    /// The text (and second text) of one JSON Lines line; nil for a blank line.
    static func jsonText(_ line: UnsafeBufferPointer<UInt8>, field: String, pairField: String?, name: String,
                         line number: Int) throws(DataError) -> (String, String?)? {
        if line.isEmpty { return nil }
        let object: JSONValue
        do {
            object = try JSONParser.parse(line)
        } catch {
            // A line that parses is valid UTF-8, so only a failed one needs checking.
            guard let text = String(validating: line, as: UTF8.self) else { throw .invalidUTF8(file: name, line: number) }
            if text.allSatisfy(\.isWhitespace) { return nil }
            guard case let .syntax(message, offset) = error else {
                throw .malformedJSON(file: name, line: number, reason: error.description)
            }
            throw .malformedJSON(file: name, line: number, reason: "\(message) at byte \(offset)")
        }
        guard case .object = object else { throw .notAnObject(file: name, line: number) }
        guard let value = object[field] else { throw .missingField(file: name, line: number, field: field) }
        guard case .string(let text) = value else {
            throw .wrongType(file: name, line: number, field: field, expected: "a string")
        }
        guard let pairField, let second = object[pairField] else { return (text, nil) }
        guard case .string(let textB) = second else {
            throw .wrongType(file: name, line: number, field: pairField, expected: "a string")
        }
        return (text, textB)
    }
}
