import Foundation

/// SentencePiece's precompiled normalization rules (`Precompiled.precompiled_charsmap` in
/// tokenizer.json, the blob from the `.model`'s normalizer spec): a darts-clone double-array
/// trie over UTF-8 keys whose values index NUL-terminated replacement strings.
///
/// Applied as Hugging Face tokenizers applies it: per extended grapheme cluster, a cluster of
/// under 6 UTF-8 bytes is replaced whole when its *shortest* matching prefix has a rule;
/// otherwise each scalar is looked up alone.
public struct PrecompiledCharsMap: Sendable {
    let units: [UInt32]
    let normalized: [UInt8]

    /// Parses the blob: a little-endian UInt32 trie size in bytes, the trie, the strings.
    init(blob: [UInt8]) throws(TokenizerConfigError) {
        guard blob.count >= 4 else { throw TokenizerConfigError("precompiled_charsmap is shorter than its header") }
        let size = Int(UInt32(blob[0]) | UInt32(blob[1]) << 8 | UInt32(blob[2]) << 16 | UInt32(blob[3]) << 24)
        guard size % 4 == 0, size + 4 <= blob.count, size > 0 else {
            throw TokenizerConfigError("precompiled_charsmap trie size \(size) does not fit its \(blob.count) bytes")
        }
        var units = [UInt32](repeating: 0, count: size / 4)
        for k in 0..<units.count {
            let o = 4 + 4 * k
            units[k] = UInt32(blob[o]) | UInt32(blob[o + 1]) << 8 | UInt32(blob[o + 2]) << 16 | UInt32(blob[o + 3]) << 24
        }
        self.units = units
        self.normalized = Array(blob[(4 + size)...])
    }

    /// Parses the base64 text tokenizer.json holds.
    init(base64: String) throws(TokenizerConfigError) {
        guard let data = Data(base64Encoded: base64) else {
            throw TokenizerConfigError("precompiled_charsmap is not valid base64")
        }
        try self.init(blob: [UInt8](data))
    }

    // darts-clone unit layout.
    @inline(__always) static func hasLeaf(_ u: UInt32) -> Bool { (u >> 8) & 1 == 1 }
    @inline(__always) static func value(_ u: UInt32) -> Int { Int(u & 0x7FFF_FFFF) }
    @inline(__always) static func label(_ u: UInt32) -> UInt32 { u & (0x8000_0000 | 0xFF) }
    @inline(__always) static func offset(_ u: UInt32) -> Int { Int((u >> 10) << ((u & (1 << 9)) >> 6)) }

    /// The replacement for `key` (UTF-8): the rule of its shortest prefix that has one.
    func transform<C: Collection>(_ key: C) -> ArraySlice<UInt8>? where C.Element == UInt8 {
        var pos = 0
        guard !units.isEmpty else { return nil }
        var unit = units[pos]
        pos ^= Self.offset(unit)
        for c in key {
            if c == 0 { break }
            pos ^= Int(c)
            guard pos < units.count else { return nil }
            unit = units[pos]
            if Self.label(unit) != UInt32(c) { return nil }
            pos ^= Self.offset(unit)
            guard pos < units.count else { return nil }
            if Self.hasLeaf(unit) {
                let start = Self.value(units[pos])
                guard start < normalized.count else { return nil }
                var end = start
                while end < normalized.count && normalized[end] != 0 { end += 1 }
                return normalized[start..<end]
            }
        }
        return nil
    }

    /// `text` normalized.
    func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var utf8: [UInt8] = []
        func append(_ bytes: ArraySlice<UInt8>) {
            out.append(contentsOf: String(decoding: bytes, as: UTF8.self).unicodeScalars)
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: text)
        for grapheme in String(view) {
            let scalars = grapheme.unicodeScalars
            utf8.removeAll(keepingCapacity: true)
            utf8.append(contentsOf: grapheme.utf8)
            if utf8.count < 6, let rule = transform(utf8) {
                append(rule)
                continue
            }
            for s in scalars {
                if let rule = transform(s.utf8) { append(rule) } else { out.append(s) }
            }
        }
        return out
    }
}
