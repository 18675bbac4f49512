/// tokenizer.json's `decoder`: token strings back to text, with Hugging Face tokenizers'
/// semantics (each step rewrites the list of token strings; the result is their concatenation).
public indirect enum TokenDecoder: Sendable {
    case byteLevel
    case wordPiece(prefix: String, cleanup: Bool)
    case metaspace(replacement: Unicode.Scalar, prependScheme: PreTokenizer.PrependScheme)
    case bpe(suffix: String)
    case replace(TextPattern, content: [Unicode.Scalar])
    case byteFallback
    case fuse
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    case sequence([TokenDecoder])

    /// The text of `tokens` (no decoder: joined by spaces, as tokenizers does).
    public static func decode(_ tokens: [String], with decoder: TokenDecoder?) -> String {
        guard let decoder else { return tokens.joined(separator: " ") }
        return decoder.chain(tokens).joined()
    }

    func chain(_ tokens: [String]) -> [String] {
        switch self {
        case .byteLevel:
            var bytes: [UInt8] = []
            for t in tokens where !ByteLevel.decode(t, into: &bytes) { bytes.append(contentsOf: t.utf8) }
            return [String(decoding: bytes, as: UTF8.self)]
        case .wordPiece(let prefix, let cleanup):
            return tokens.enumerated().map { i, token in
                var t = token
                if i != 0 {
                    if t.hasPrefix(prefix) { t.removeFirst(prefix.count) } else { t = " " + t }
                }
                return cleanup ? Self.cleanup(t) : t
            }
        case .metaspace(let replacement, let scheme):
            return tokens.enumerated().map { i, token in
                var scalars = String.UnicodeScalarView()
                for s in token.unicodeScalars { scalars.append(s == replacement ? " " : s) }
                var t = String(scalars)
                if i == 0 && scheme != .never && t.hasPrefix(" ") { t.removeFirst() }
                return t
            }
        case .bpe(let suffix):
            return tokens.enumerated().map { i, t in
                t.replacingAll(suffix, with: i == tokens.count - 1 ? "" : " ")
            }
        case .replace(let pattern, let content):
            return tokens.map { t in
                String(String.UnicodeScalarView(Normalizer.replace(pattern, content: content).normalize(Array(t.unicodeScalars))))
            }
        case .byteFallback:
            var out: [String] = []
            var pending: [UInt8] = []
            func flush() {
                guard !pending.isEmpty else { return }
                if let s = String(validating: pending, as: UTF8.self) {
                    out.append(s)
                } else {
                    out.append(contentsOf: repeatElement("\u{FFFD}", count: pending.count))
                }
                pending = []
            }
            for t in tokens {
                let u = Array(t.utf8)
                if u.count == 6, t.hasPrefix("<0x"), t.hasSuffix(">"), let b = UInt8(String(t.dropFirst(3).prefix(2)), radix: 16) {
                    pending.append(b)
                } else {
                    flush()
                    out.append(t)
                }
            }
            flush()
            return out
        case .fuse:
            return [tokens.joined()]
        case .strip(let content, let start, let stop):
            return tokens.map { t in
                var s = Array(t.unicodeScalars)
                var lo = 0, hi = s.count
                while lo < min(start, s.count) && s[lo] == content { lo += 1 }
                var k = 0
                while k < stop && hi > lo && s[hi - 1] == content { hi -= 1; k += 1 }
                s = Array(s[lo..<hi])
                return String(String.UnicodeScalarView(s))
            }
        case .sequence(let steps):
            var out = tokens
            for step in steps { out = step.chain(out) }
            return out
        }
    }

    /// WordPiece's `cleanup`: spaces before punctuation and English contractions removed.
    static func cleanup(_ t: String) -> String {
        var s = t
        for (from, to) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                           (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            s = s.replacingAll(from, with: to)
        }
        return s
    }
}

extension String {
    /// Every non-overlapping occurrence of `target` replaced, left to right.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        let needle = Array(target.unicodeScalars)
        let text = Array(unicodeScalars)
        var out = String.UnicodeScalarView()
        var previous = 0
        for m in TextPattern.string(needle).matches(in: text) {
            out.append(contentsOf: text[previous..<m.lowerBound])
            out.append(contentsOf: replacement.unicodeScalars)
            previous = m.upperBound
        }
        out.append(contentsOf: text[previous...])
        return String(out)
    }
}
