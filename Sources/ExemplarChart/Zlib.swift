/// zlib streams (RFC 1950) of deflate data (RFC 1951): fixed-Huffman blocks with greedy LZ77
/// matches (a 32 KiB window, one candidate per 3-byte hash), or stored blocks.
enum Zlib {
    static func compress(_ data: [UInt8], deflate: Bool) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]  // deflate, 32 KiB window; FCHECK makes 0x7801 a multiple of 31
        out += deflate ? fixedHuffman(data) : stored(data)
        let adler = Adler32.checksum(data)
        out += [UInt8(adler >> 24), UInt8(adler >> 16 & 0xFF), UInt8(adler >> 8 & 0xFF), UInt8(adler & 0xFF)]
        return out
    }

    /// Stored blocks of at most 65,535 bytes.
    static func stored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        repeat {
            let end = min(start + 65_535, data.count)
            let length = UInt16(end - start)
            out.append(end == data.count ? 1 : 0)  // BFINAL, BTYPE 00
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            out += data[start..<end]
            start = end
        } while start < data.count
        return out
    }

    /// One final fixed-Huffman block (BTYPE 01).
    static func fixedHuffman(_ data: [UInt8]) -> [UInt8] {
        var bits = BitWriter()
        bits.write(1, count: 1)  // BFINAL
        bits.write(1, count: 2)  // BTYPE 01
        var head = [Int](repeating: -1, count: 1 << 15)
        var i = 0
        func hash(_ p: Int) -> Int { (Int(data[p]) << 10 ^ Int(data[p + 1]) << 5 ^ Int(data[p + 2])) & 0x7FFF }
        while i < data.count {
            var length = 0, distance = 0
            if i + 2 < data.count {
                let h = hash(i)
                let candidate = head[h]
                head[h] = i
                if candidate >= 0 && i - candidate <= 32_768 {
                    var n = 0
                    while n < 258 && i + n < data.count && data[candidate + n] == data[i + n] { n += 1 }
                    if n >= 3 { length = n; distance = i - candidate }
                }
            }
            if length >= 3 {
                writeLength(length, &bits)
                writeDistance(distance, &bits)
                for p in (i + 1)..<min(i + length, data.count - 2) { head[hash(p)] = p }
                i += length
            } else {
                writeLiteral(Int(data[i]), &bits)
                i += 1
            }
        }
        writeLiteral(256, &bits)  // end of block
        return bits.finish()
    }

    /// A literal/length symbol with the fixed code (RFC 1951 3.2.6).
    static func writeLiteral(_ symbol: Int, _ bits: inout BitWriter) {
        switch symbol {
        case 0...143: bits.writeReversed(0x30 + symbol, count: 8)
        case 144...255: bits.writeReversed(0x190 + symbol - 144, count: 9)
        case 256...279: bits.writeReversed(symbol - 256, count: 7)
        default: bits.writeReversed(0xC0 + symbol - 280, count: 8)
        }
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                               4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    static func writeLength(_ length: Int, _ bits: inout BitWriter) {
        let code = lengthBase.lastIndex { $0 <= length }!
        writeLiteral(257 + code, &bits)
        bits.write(length - lengthBase[code], count: lengthExtra[code])
    }

    static func writeDistance(_ distance: Int, _ bits: inout BitWriter) {
        let code = distanceBase.lastIndex { $0 <= distance }!
        bits.writeReversed(code, count: 5)
        bits.write(distance - distanceBase[code], count: distanceExtra[code])
    }
}

/// Deflate's bit order: values least significant bit first; Huffman codes most significant first.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var filled = 0

    mutating func write(_ value: Int, count: Int) {
        guard count > 0 else { return }
        buffer |= UInt64(value & ((1 << count) - 1)) << filled
        filled += count
        while filled >= 8 {
            bytes.append(UInt8(buffer & 0xFF))
            buffer >>= 8
            filled -= 8
        }
    }

    /// A Huffman code of `count` bits, sent most significant bit first.
    mutating func writeReversed(_ code: Int, count: Int) {
        var reversed = 0
        for i in 0..<count where code & (1 << i) != 0 { reversed |= 1 << (count - 1 - i) }
        write(reversed, count: count)
    }

    mutating func finish() -> [UInt8] {
        if filled > 0 { bytes.append(UInt8(buffer & 0xFF)) }
        buffer = 0
        filled = 0
        return bytes
    }
}
