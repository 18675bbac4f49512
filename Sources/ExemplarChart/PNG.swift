/// A PNG encoder for 8-bit RGB images: one IHDR, one IDAT (zlib: fixed-Huffman deflate
/// blocks with LZ77 matches, or stored blocks), IEND; each chunk with its CRC-32.
///
/// Shape assumptions: `pixels` is row-major RGB, `width × height × 3` bytes. Each row gets
/// filter type 1 (Sub) when it compresses better than none, judged by the sum of the bytes as
/// signed values (the PNG specification's heuristic).
public enum PNG {
    /// The file bytes of an RGB image.
    public static func encode(width: Int, height: Int, rgb pixels: [UInt8], compress: Bool = true) -> [UInt8] {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 3)
        var raw: [UInt8] = []
        raw.reserveCapacity(height * (1 + width * 3))
        let stride = width * 3
        for y in 0..<height {
            let row = pixels[(y * stride)..<((y + 1) * stride)]
            var sub = [UInt8](repeating: 0, count: stride)
            for i in 0..<stride {
                let left = i >= 3 ? row[row.startIndex + i - 3] : 0
                sub[i] = row[row.startIndex + i] &- left
            }
            func cost<C: Collection>(_ bytes: C) -> Int where C.Element == UInt8 { bytes.reduce(0) { $0 + Int(min($1, 0 &- $1)) } }
            if cost(sub) < cost(row) {
                raw.append(1)
                raw += sub
            } else {
                raw.append(0)
                raw += row
            }
        }
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [8, 2, 0, 0, 0]  // bit depth 8, colour type 2 (RGB), deflate, no filter method variants, no interlace
        chunk("IHDR", header, into: &file)
        chunk("IDAT", Zlib.compress(raw, deflate: compress), into: &file)
        chunk("IEND", [], into: &file)
        return file
    }

    static func chunk(_ type: String, _ data: [UInt8], into file: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        file += bigEndian(UInt32(data.count))
        file += typeBytes
        file += data
        file += bigEndian(CRC32.checksum(typeBytes + data))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}

/// CRC-32 (ISO 3309, polynomial 0xEDB88320 reflected), as PNG chunks and gzip use it.
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The CRC of `bytes`.
    public static func checksum<C: Sequence>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

/// Adler-32, zlib's checksum of the uncompressed data.
public enum Adler32 {
    /// The checksum of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var i = 0
        while i < bytes.count {
            let end = min(i + 5552, bytes.count)  // the most bytes before the sums can overflow
            while i < end {
                a += UInt32(bytes[i])
                b += a
                i += 1
            }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }
}
