/// The records of a CSV-style buffer, quoted as pandas writes and reads them.
///
/// A field that starts with `"` is quoted: it runs to the next lone `"`, `""` inside it is one
/// quote, and it may hold separators and line breaks. Text after the closing quote is kept,
/// as pandas does. A quote elsewhere is an ordinary character. Blank lines are skipped.
struct CSVScanner {
    /// One field: bytes of the input, or unescaped bytes of a quoted field in `scratch`.
    enum Field {
        case input(Range<Int>)
        case scratch(Range<Int>)
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let separator: UInt8
    let file: String
    private var position: Int
    /// The 1-based line the scanner is on.
    private var line = 1
    private(set) var scratch: [UInt8] = []

    private static let quote = UInt8(ascii: "\"")
    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    init(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, separator: UInt8, file: String) {
        self.bytes = bytes
        self.position = start
        self.separator = separator
        self.file = file
    }

    /// Reads the next record's fields into `fields` and returns the line it starts on; nil at the end.
    mutating func next(into fields: inout [Field]) throws(DataError) -> Int? {
        fields.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        let count = bytes.count
        while position < count, isLineBreak(bytes[position]) { skipLineBreak() }
        guard position < count else { return nil }
        let startLine = line
        while true {
            if bytes[position] == Self.quote {
                fields.append(try quotedField())
            } else {
                let start = position
                while position < count, bytes[position] != separator, !isLineBreak(bytes[position]) { position += 1 }
                fields.append(.input(start..<position))
            }
            if position < count && bytes[position] == separator {
                position += 1
                if position < count { continue }
                fields.append(.input(position..<position))
                return startLine
            }
            if position < count { skipLineBreak() }
            return startLine
        }
    }

    /// The text of `field`, or nil when it is not valid UTF-8.
    func string(_ field: Field) -> String? {
        switch field {
        case .input(let range):
            return String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        case .scratch(let range):
            return scratch[range].withUnsafeBufferPointer { String(validating: $0, as: UTF8.self) }
        }
    }

    /// A quoted field starting at `position`, unescaped into `scratch`.
    private mutating func quotedField() throws(DataError) -> Field {
        let count = bytes.count
        let openingLine = line
        let start = scratch.count
        position += 1
        while true {
            let chunk = position
            while position < count, bytes[position] != Self.quote {
                if bytes[position] == Self.newline {
                    line += 1
                } else if bytes[position] == Self.carriageReturn, position + 1 == count || bytes[position + 1] != Self.newline {
                    line += 1
                }
                position += 1
            }
            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[chunk..<position]))
            guard position < count else { throw .unterminatedQuote(file: file, line: openingLine) }
            position += 1
            if position < count && bytes[position] == Self.quote {
                scratch.append(Self.quote)
                position += 1
                continue
            }
            break
        }
        while position < count, bytes[position] != separator, !isLineBreak(bytes[position]) {
            scratch.append(bytes[position])
            position += 1
        }
        return .scratch(start..<scratch.count)
    }

    private func isLineBreak(_ byte: UInt8) -> Bool {
        byte == Self.newline || byte == Self.carriageReturn
    }

    /// Steps over "\n", "\r\n" or a lone "\r" at `position`.
    private mutating func skipLineBreak() {
        if bytes[position] == Self.carriageReturn && position + 1 < bytes.count && bytes[position + 1] == Self.newline {
            position += 2
        } else {
            position += 1
        }
        line += 1
    }
}
