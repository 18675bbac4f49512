import Foundation  // Unicode normalization forms (not in FoundationEssentials).

/// tokenizer.json's `normalizer`: how the text of each segment between added tokens is
/// rewritten before pre-tokenization, with Hugging Face tokenizers' semantics.
public indirect enum Normalizer: Sendable {
    case bert(BertNormalizer)
    /// SentencePiece's compiled rules (XLM-R, T5, ...).
    case precompiled(PrecompiledCharsMap)
    case nfc, nfd, nfkc, nfkd
    /// Full per-character lower-case mapping (no final-sigma context, as Rust's `char::to_lowercase`).
    case lowercase
    /// Removes leading and/or trailing whitespace.
    case strip(left: Bool, right: Bool)
    /// Removes combining marks (Mn, Mc, Me); no decomposition of its own.
    case stripAccents
    /// Every match of the pattern replaced by `content`.
    case replace(TextPattern, content: [Unicode.Scalar])
    /// `prefix` put in front of non-empty text.
    case prepend([Unicode.Scalar])
    /// Each UTF-8 byte as GPT-2's printable stand-in character.
    case byteLevel
    case sequence([Normalizer])

    /// NFC of `text`, composed by Foundation in pieces: Foundation's composition (Linux)
    /// takes a supplementary-plane starter by its low 16 bits, so U+E0044 U+030C became U+010E
    /// ("D" with caron). No canonical composition pairs such a starter with a BMP scalar, so the
    /// text is cut after each supplementary starter (one without a decomposition of its own)
    /// that a BMP scalar follows, and each piece composed alone.
    static func composed(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        func nfc(_ piece: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: piece)
            return Array(String(view).precomposedStringWithCanonicalMapping.unicodeScalars)
        }
        var out: [Unicode.Scalar] = []
        var start = 0
        for i in text.indices.dropLast()
        where text[i].value >= 0x10000 && text[i + 1].value < 0x10000
            && text[i].properties.canonicalCombiningClass == .notReordered
            && String(text[i]).decomposedStringWithCanonicalMapping.unicodeScalars.count == 1 {
            out += nfc(text[start...i])
            start = i + 1
        }
        return out + nfc(text[start...])
    }

    /// `text` normalized.
    func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        switch self {
        case .bert(let bert):
            return bert.normalize(scalars: text)
        case .precompiled(let map):
            return map.normalize(text)
        case .nfc, .nfd, .nfkc, .nfkd:
            if text.allSatisfy({ $0.value < 0x80 }) { return text }  // ASCII is in every form
            var view = String.UnicodeScalarView()
            view.append(contentsOf: text)
            let s = String(view)
            let out: String
            switch self {
            case .nfc: return Self.composed(text)
            case .nfd: out = s.decomposedStringWithCanonicalMapping
            // NFC of NFKD: Foundation's own NFKC leaves marks from compatibility decompositions
            // uncomposed ("ｶﾞ" gives カ + U+3099, not ガ).
            case .nfkc: return Self.composed(Array(s.decomposedStringWithCompatibilityMapping.unicodeScalars))
            default: out = s.decomposedStringWithCompatibilityMapping
            }
            return Array(out.unicodeScalars)
        case .lowercase:
            var out: [Unicode.Scalar] = []
            out.reserveCapacity(text.count)
            for s in text {
                if s.value < 0x80 {
                    out.append((0x41...0x5A).contains(s.value) ? Unicode.Scalar(s.value + 32)! : s)
                } else {
                    out.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
                }
            }
            return out
        case .strip(let left, let right):
            var lo = 0, hi = text.count
            if left { while lo < hi && text[lo].properties.isWhitespace { lo += 1 } }
            if right { while hi > lo && text[hi - 1].properties.isWhitespace { hi -= 1 } }
            return Array(text[lo..<hi])
        case .stripAccents:
            return text.filter { s in
                switch s.properties.generalCategory {
                case .nonspacingMark, .spacingMark, .enclosingMark: return false
                default: return true
                }
            }
        case .replace(let pattern, let content):
            let matches = pattern.matches(in: text)
            if matches.isEmpty { return text }
            var out: [Unicode.Scalar] = []
            out.reserveCapacity(text.count)
            var previous = 0
            for m in matches {
                out.append(contentsOf: text[previous..<m.lowerBound])
                out.append(contentsOf: content)
                previous = m.upperBound
            }
            out.append(contentsOf: text[previous...])
            return out
        case .prepend(let prefix):
            return text.isEmpty ? text : prefix + text
        case .byteLevel:
            return ByteLevel.encode(text)
        case .sequence(let steps):
            var out = text
            for step in steps { out = step.normalize(out) }
            return out
        }
    }
}
