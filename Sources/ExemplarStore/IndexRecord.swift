/// One labelled example as the index stores it.
public struct IndexRecord: Sendable, Equatable {
    /// Position in the index, 0-based, in data order (train first, then dev, then test).
    public var id: UInt32
    public var split: String
    public var label: String
    public var textA: String
    /// The second sentence of a pair task (RTE, MRPC, ...).
    public var textB: String?
    /// 1-based line of the source file where the row starts.
    public var line: Int

    public init(id: UInt32, split: String, label: String, textA: String, textB: String? = nil, line: Int) {
        self.id = id
        self.split = split
        self.label = label
        self.textA = textA
        self.textB = textB
        self.line = line
    }

    /// Compact binary form: version, line, then length-prefixed UTF-8 fields.
    func encoded() -> [UInt8] {
        var out: [UInt8] = [1]
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func string(_ s: String) { u32(UInt32(s.utf8.count)); out += s.utf8 }
        u32(UInt32(clamping: line))
        string(split)
        string(label)
        string(textA)
        if let textB { out.append(1); string(textB) } else { out.append(0) }
        return out
    }

    /// Decodes `encoded()`; `nil` when the bytes are not a record.
    init?(id: UInt32, bytes: UnsafeRawBufferPointer) {
        var offset = 0
        func u32() -> UInt32? {
            guard offset + 4 <= bytes.count else { return nil }
            defer { offset += 4 }
            return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        }
        func string() -> String? {
            guard let n = u32().map(Int.init), offset + n <= bytes.count else { return nil }
            defer { offset += n }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]), as: UTF8.self)
        }
        guard bytes.count > 0, bytes[0] == 1 else { return nil }
        offset = 1
        guard let line = u32(), let split = string(), let label = string(), let textA = string(),
              offset < bytes.count else { return nil }
        let hasB = bytes[offset]
        offset += 1
        var textB: String?
        if hasB == 1 {
            guard let b = string() else { return nil }
            textB = b
        }
        self.init(id: id, split: split, label: label, textA: textA, textB: textB, line: Int(line))
    }
}

extension UInt32 {
    /// Big-endian bytes, so LMDB's byte order is numeric order.
    var keyBytes: [UInt8] { withUnsafeBytes(of: bigEndian) { Array($0) } }
}
