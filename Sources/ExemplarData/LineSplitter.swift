/// The lines of a byte buffer, split at "\n", "\r\n" or a lone "\r" (Python's universal
/// newlines). A final line break ends the last line; it does not start an empty one.
struct LineSplitter {
    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position: Int
    /// The 1-based number of the line `next()` returned last.
    private(set) var lineNumber = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>, start: Int = 0) {
        self.bytes = bytes
        self.position = start
    }

    /// The byte range of the next line, without its line break; nil at the end.
    mutating func next() -> Range<Int>? {
        let count = bytes.count
        guard position < count else { return nil }
        let start = position
        var end = start
        while end < count {
            let byte = bytes[end]
            if byte == 0x0A || byte == 0x0D { break }
            end += 1
        }
        lineNumber += 1
        if end < count && bytes[end] == 0x0D && end + 1 < count && bytes[end + 1] == 0x0A {
            position = end + 2
        } else {
            position = min(end + 1, count)
        }
        return start..<end
    }
}
