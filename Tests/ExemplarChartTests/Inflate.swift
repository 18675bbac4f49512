/// A small inflater for the tests (RFC 1951: stored and fixed-Huffman blocks, the two kinds
/// `PNG.encode` writes; dynamic blocks are refused), so PNG output is checked without Python.
struct Inflate {
    enum Failure: Error { case truncated, badBlock(Int), badSymbol, badStored, badDistance }

    private let bytes: [UInt8]
    private var position = 0, bit = 0

    /// The data of a zlib stream, its Adler-32 checked by the caller.
    static func zlib(_ stream: [UInt8]) throws -> (data: [UInt8], adler: UInt32) {
        guard stream.count >= 6, (Int(stream[0]) << 8 | Int(stream[1])) % 31 == 0, stream[0] & 0x0F == 8 else { throw Failure.truncated }
        var inflater = Inflate(bytes: Array(stream[2...]))
        let data = try inflater.run()
        let tail = stream.suffix(4)
        let adler = tail.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return (data, adler)
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func bits(_ count: Int) throws -> Int {
        var value = 0
        for i in 0..<count {
            guard position < bytes.count else { throw Failure.truncated }
            value |= Int(bytes[position] >> bit & 1) << i
            bit += 1
            if bit == 8 { bit = 0; position += 1 }
        }
        return value
    }

    /// One fixed-code literal/length symbol, read MSB first.
    private mutating func fixedSymbol() throws -> Int {
        var code = 0
        for length in 1...9 {
            code = code << 1 | (try bits(1))
            switch length {
            case 7 where code <= 0x17: return 256 + code
            case 8 where code >= 0x30 && code <= 0xBF: return code - 0x30
            case 8 where code >= 0xC0 && code <= 0xC7: return 280 + code - 0xC0
            case 9 where code >= 0x190: return 144 + code - 0x190
            default: continue
            }
        }
        throw Failure.badSymbol
    }

    private mutating func run() throws -> [UInt8] {
        let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
        let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
        let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                            4097, 6145, 8193, 12289, 16385, 24577]
        let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
        var out: [UInt8] = []
        var final = 0
        while final == 0 {
            final = try bits(1)
            let type = try bits(2)
            switch type {
            case 0:
                if bit != 0 { bit = 0; position += 1 }
                guard position + 4 <= bytes.count else { throw Failure.truncated }
                let length = Int(bytes[position]) | Int(bytes[position + 1]) << 8
                let complement = Int(bytes[position + 2]) | Int(bytes[position + 3]) << 8
                guard length ^ 0xFFFF == complement, position + 4 + length <= bytes.count else { throw Failure.badStored }
                out += bytes[(position + 4)..<(position + 4 + length)]
                position += 4 + length
            case 1:
                while true {
                    let symbol = try fixedSymbol()
                    if symbol < 256 { out.append(UInt8(symbol)); continue }
                    if symbol == 256 { break }
                    let code = symbol - 257
                    guard code < lengthBase.count else { throw Failure.badSymbol }
                    let length = lengthBase[code] + (try bits(lengthExtra[code]))
                    var d = 0
                    for _ in 0..<5 { d = d << 1 | (try bits(1)) }
                    guard d < distanceBase.count else { throw Failure.badDistance }
                    let distance = distanceBase[d] + (try bits(distanceExtra[d]))
                    guard distance <= out.count else { throw Failure.badDistance }
                    for _ in 0..<length { out.append(out[out.count - distance]) }
                }
            default:
                throw Failure.badBlock(type)
            }
        }
        return out
    }
}
