/// GPT-2's byte-level pieces: the byte-to-printable-character map, and its word-splitting
/// regex written out by hand:
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
enum ByteLevel {
    /// The printable stand-in of each byte: printable Latin-1 bytes stand for themselves, the
    /// others (controls, space, soft hyphen, ...) for U+0100 onwards in byte order.
    static let byteChars: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            if (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b) {
                table[b] = Unicode.Scalar(UInt32(b))!
            } else {
                table[b] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// The byte each stand-in character stands for.
    static let charBytes: [UInt32: UInt8] = {
        var map: [UInt32: UInt8] = [:]
        for (b, c) in byteChars.enumerated() { map[c.value] = UInt8(b) }
        return map
    }()

    /// Each UTF-8 byte of `text` as its stand-in character.
    static func encode(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        for s in text {
            if s.value < 0x80 {
                out.append(byteChars[Int(s.value)])
            } else {
                for b in s.utf8 { out.append(byteChars[Int(b)]) }
            }
        }
        return out
    }

    /// The bytes the stand-in characters of `token` stand for; nil if one is not a stand-in.
    static func decode(_ token: String, into bytes: inout [UInt8]) -> Bool {
        let mark = bytes.count
        for s in token.unicodeScalars {
            guard let b = charBytes[s.value] else {
                bytes.removeSubrange(mark...)
                return false
            }
            bytes.append(b)
        }
        return true
    }

    enum Kind { case letter, number, space, other }

    @inline(__always) static func kind(_ s: Unicode.Scalar) -> Kind {
        let v = s.value
        if v < 0x80 {
            if (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) { return .letter }
            if (0x30...0x39).contains(v) { return .number }
            if v == 0x20 || (0x09...0x0D).contains(v) { return .space }
            return .other
        }
        if s.properties.isWhitespace { return .space }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }

    /// The GPT-2 regex's matches in `text`, which cover it.
    static func split(_ text: [Unicode.Scalar]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        let n = text.count
        var kinds = [Kind]()
        kinds.reserveCapacity(n)
        for s in text { kinds.append(kind(s)) }
        var i = 0
        func run(_ from: Int, _ k: Kind) -> Int {
            var j = from
            while j < n && kinds[j] == k { j += 1 }
            return j
        }
        while i < n {
            let c = text[i]
            // 's 't 're 've 'm 'll 'd
            if c == "'" && i + 1 < n {
                let a = text[i + 1]
                if a == "s" || a == "t" || a == "m" || a == "d" {
                    out.append(i..<(i + 2)); i += 2; continue
                }
                if i + 2 < n {
                    let b = text[i + 2]
                    if (a == "r" && b == "e") || (a == "v" && b == "e") || (a == "l" && b == "l") {
                        out.append(i..<(i + 3)); i += 3; continue
                    }
                }
            }
            // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`
            let start = i
            var j = i
            if c == " " && i + 1 < n && kinds[i + 1] != .space { j = i + 1 }
            let k = kinds[j]
            if k != .space {
                let end = run(j, k)
                out.append(start..<end); i = end; continue
            }
            // `\s+(?!\S)`, else `\s+`
            let end = run(i, .space)
            if end == n || end - i == 1 {
                out.append(i..<end); i = end
            } else {
                out.append(i..<(end - 1)); i = end - 1
            }
        }
        return out
    }
}
