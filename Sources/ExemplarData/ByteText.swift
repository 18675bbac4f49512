/// Byte-level helpers shared by the readers.
enum ByteText {
    /// The length of a UTF-8 byte-order mark at the start of `bytes` (3), or 0.
    static func bomLength(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    /// `range` without the leading and trailing characters Python's `str.strip()` removes
    /// (ASCII whitespace, \x1c-\x1f, and Unicode spaces such as U+00A0 and U+3000).
    static func pythonStrip(_ range: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper, let width = spaceWidth(startingAt: lower, upTo: upper, in: bytes) { lower += width }
        while lower < upper, let width = spaceWidth(endingAt: upper, from: lower, in: bytes) { upper -= width }
        return lower..<upper
    }

    /// Whether the bytes in `range` are valid UTF-8 (an ASCII scan first, the full check only if needed).
    static func isValidUTF8(_ range: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var high: UInt8 = 0
        for index in range { high |= bytes[index] }
        if high < 0x80 { return true }
        return String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) != nil
    }

    /// The text in `range`, already checked to be valid UTF-8.
    static func string(_ range: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// `text` without the surrounding characters Python's `str.strip()` removes.
    static func pythonStrip(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isPythonSpace($0) }),
              let last = scalars.lastIndex(where: { !isPythonSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }

    /// Whether `text` is empty or only characters Python's `str.isspace()` accepts.
    static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy(isPythonSpace)
    }

    static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// The byte width of a Python space starting at `index`, or nil.
    private static func spaceWidth(startingAt index: Int, upTo end: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let first = bytes[index]
        if first < 0x80 { return isPythonSpace(Unicode.Scalar(first)) ? 1 : nil }
        for width in 2...3 where index + width <= end {
            if let scalar = scalar(in: bytes, index..<(index + width)), isPythonSpace(scalar) { return width }
        }
        return nil
    }

    /// The byte width of a Python space ending just before `end`, or nil.
    private static func spaceWidth(endingAt end: Int, from start: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let last = bytes[end - 1]
        if last < 0x80 { return isPythonSpace(Unicode.Scalar(last)) ? 1 : nil }
        for width in 2...3 where end - width >= start {
            if let scalar = scalar(in: bytes, (end - width)..<end), isPythonSpace(scalar) { return width }
        }
        return nil
    }

    /// The one scalar that exactly the bytes in `range` encode, or nil.
    private static func scalar(in bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Unicode.Scalar? {
        guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) else { return nil }
        var scalars = text.unicodeScalars.makeIterator()
        guard let first = scalars.next(), scalars.next() == nil else { return nil }
        return first
    }
}
