/// tokenizer.json's `pre_tokenizer`: how normalized text is cut into the pieces the model
/// tokenizes one by one, with Hugging Face tokenizers' semantics.
public indirect enum PreTokenizer: Sendable {
    /// Whitespace removed, each punctuation character its own piece.
    case bert
    /// GPT-2's regex split (`useRegex`), an optional leading space, then bytes as characters.
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    /// Spaces become `replacement`, prepended per `prepend`, split before each (when `split`).
    case metaspace(replacement: Unicode.Scalar, prepend: PrependScheme, split: Bool)
    /// `\w+|[^\w\s]+`.
    case whitespace
    /// Split on whitespace, which is removed.
    case whitespaceSplit
    case punctuation(SplitBehavior)
    case split(TextPattern, SplitBehavior, invert: Bool)
    case digits(individually: Bool)
    case delimiter(Unicode.Scalar)
    case sequence([PreTokenizer])

    /// Metaspace's `prepend_scheme`.
    public enum PrependScheme: String, Sendable {
        case always, first, never
    }

    /// `pieces` cut further (empty pieces dropped).
    func apply(_ pieces: [TextPiece]) -> [TextPiece] {
        var out: [TextPiece] = []
        out.reserveCapacity(pieces.count * 2)
        for piece in pieces { apply(piece, into: &out) }
        return out
    }

    func apply(_ piece: TextPiece, into out: inout [TextPiece]) {
        let text = piece.scalars
        switch self {
        case .bert:
            var start = 0
            for (i, s) in text.enumerated() {
                if UnicodeProperties.isWhitespace(s) {
                    if start < i { out.append(piece.slice(start..<i)) }
                    start = i + 1
                } else if UnicodeProperties.isPunctuation(s) {
                    if start < i { out.append(piece.slice(start..<i)) }
                    out.append(piece.slice(i..<(i + 1)))
                    start = i + 1
                }
            }
            if start < text.count {
                out.append(piece.slice(start..<text.count))
            }
        case .byteLevel(let addPrefixSpace, let useRegex):
            var p = piece
            if addPrefixSpace && p.scalars.first != " " { p.scalars.insert(" ", at: 0); if p.leading > 0 { p.leading += 1 } }
            // Later steps see bytes; a piece starting in the first character keeps `leading` > 0.
            if useRegex {
                for r in ByteLevel.split(p.scalars) where !r.isEmpty {
                    let sub = p.slice(r)
                    out.append(TextPiece(scalars: ByteLevel.encode(sub.scalars), leading: sub.leading > 0 ? ByteLevel.encode(Array(sub.scalars.prefix(sub.leading))).count : 0))
                }
            } else if !p.scalars.isEmpty {
                out.append(TextPiece(scalars: ByteLevel.encode(p.scalars), leading: p.leading > 0 ? ByteLevel.encode(Array(p.scalars.prefix(p.leading))).count : 0))
            }
        case .metaspace(let replacement, let prepend, let split):
            var p = piece
            for i in p.scalars.indices where p.scalars[i] == " " { p.scalars[i] = replacement }
            switch prepend {
            case .always:
                if p.scalars.first != replacement { p.scalars.insert(replacement, at: 0); if p.leading > 0 { p.leading += 1 } }
            case .first:
                if p.scalars.first != replacement && p.atStart { p.scalars.insert(replacement, at: 0); p.leading += 1 }
            case .never:
                break
            }
            if split {
                SplitBehavior.mergedWithNext.split(p, TextPattern.segments(in: p.scalars) { $0 == replacement }, into: &out)
            } else if !p.scalars.isEmpty {
                out.append(p)
            }
        case .whitespace:
            var i = 0
            while i < text.count {
                let s = text[i]
                if s.properties.isWhitespace { i += 1; continue }
                let word = ScalarClass.isWord(s)
                var j = i + 1
                while j < text.count && !text[j].properties.isWhitespace && ScalarClass.isWord(text[j]) == word { j += 1 }
                out.append(piece.slice(i..<j))
                i = j
            }
        case .whitespaceSplit:
            SplitBehavior.removed.split(piece, TextPattern.segments(in: text) { $0.properties.isWhitespace }, into: &out)
        case .punctuation(let behavior):
            behavior.split(piece, TextPattern.segments(in: text, where: UnicodeProperties.isPunctuation), into: &out)
        case .split(let pattern, let behavior, let invert):
            var segments = pattern.segments(in: text)
            if invert { segments = segments.map { ($0.range, !$0.isMatch) } }
            behavior.split(piece, segments, into: &out)
        case .digits(let individually):
            let segments = TextPattern.segments(in: text) { s in
                switch s.properties.generalCategory {
                case .decimalNumber, .letterNumber, .otherNumber: return true
                default: return false
                }
            }
            (individually ? SplitBehavior.isolated : .contiguous).split(piece, segments, into: &out)
        case .delimiter(let delimiter):
            SplitBehavior.removed.split(piece, TextPattern.segments(in: text) { $0 == delimiter }, into: &out)
        case .sequence(let steps):
            var pieces = [piece]
            for step in steps { pieces = step.apply(pieces) }
            out.append(contentsOf: pieces)
        }
    }
}
