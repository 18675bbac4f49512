/// A stretch of text moving through the tokenizer: its scalars, and how many of its first
/// scalars come from the input's first character (Metaspace's `prepend_scheme: first`
/// prepends only to a piece that starts there, as tokenizers' original offsets say).
struct TextPiece: Sendable {
    var scalars: [Unicode.Scalar]
    var leading: Int

    var atStart: Bool { leading > 0 }

    /// The piece `range` of this one.
    func slice(_ range: Range<Int>, scalars: [Unicode.Scalar]? = nil) -> TextPiece {
        TextPiece(scalars: scalars ?? Array(self.scalars[range]), leading: max(0, min(leading, range.upperBound) - range.lowerBound))
    }
}

/// What `Split`, `Replace` and the other splitting components look for: a literal string or
/// a regular expression (tokenizer.json's `{"String": ...}` / `{"Regex": ...}`).
public enum TextPattern: Sendable {
    case string([Unicode.Scalar])
    case regex(TokenizerRegex)

    /// The pattern's non-overlapping matches, left to right.
    func matches(in text: [Unicode.Scalar]) -> [Range<Int>] {
        switch self {
        case .regex(let regex):
            return regex.matches(in: text)
        case .string(let needle):
            guard !needle.isEmpty, text.count >= needle.count else { return [] }
            var out: [Range<Int>] = []
            var i = 0
            let first = needle[0]
            while i + needle.count <= text.count {
                if text[i] == first && text[i..<(i + needle.count)].elementsEqual(needle) {
                    out.append(i..<(i + needle.count))
                    i += needle.count
                } else {
                    i += 1
                }
            }
            return out
        }
    }

    /// `text` cut into matched and unmatched stretches covering all of it, as tokenizers'
    /// `Pattern::find_matches` gives them (an empty text is one empty unmatched stretch).
    func segments(in text: [Unicode.Scalar]) -> [(range: Range<Int>, isMatch: Bool)] {
        if text.isEmpty { return [(0..<0, false)] }
        if case .string(let needle) = self, needle.isEmpty { return [(0..<text.count, false)] }
        return Self.cover(text.count, matches(in: text))
    }

    static func cover(_ count: Int, _ matches: [Range<Int>]) -> [(range: Range<Int>, isMatch: Bool)] {
        var out: [(range: Range<Int>, isMatch: Bool)] = []
        var previous = 0
        for m in matches {
            if previous != m.lowerBound { out.append((previous..<m.lowerBound, false)) }
            out.append((m, true))
            previous = m.upperBound
        }
        if previous != count { out.append((previous..<count, false)) }
        return out
    }

    /// Each scalar that satisfies `predicate` as a match of its own (tokenizers' `Fn(char) -> bool` pattern).
    static func segments(in text: [Unicode.Scalar], where predicate: (Unicode.Scalar) -> Bool) -> [(range: Range<Int>, isMatch: Bool)] {
        if text.isEmpty { return [(0..<0, false)] }
        var out: [(range: Range<Int>, isMatch: Bool)] = []
        var last = 0
        for (i, s) in text.enumerated() where predicate(s) {
            if last < i { out.append((last..<i, false)) }
            out.append((i..<(i + 1), true))
            last = i + 1
        }
        if last < text.count { out.append((last..<text.count, false)) }
        return out
    }
}

/// What happens to the matched delimiter when splitting (tokenizers' `SplitDelimiterBehavior`).
public enum SplitBehavior: String, Sendable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"

    /// The pieces of `piece` for `segments` (covering it, in order) under this behaviour;
    /// empty pieces are dropped, as tokenizers drops them.
    func split(_ piece: TextPiece, _ segments: [(range: Range<Int>, isMatch: Bool)], into out: inout [TextPiece]) {
        var kept: [Range<Int>] = []
        switch self {
        case .isolated:
            kept = segments.map(\.range)
        case .removed:
            kept = segments.filter { !$0.isMatch }.map(\.range)
        case .contiguous, .mergedWithPrevious:
            // A segment joins the piece before it: contiguous, when both are matches or both are
            // not; merged with previous, when it is a match after a non-match.
            var previous = false
            for (i, s) in segments.enumerated() {
                let joins = self == .contiguous ? i > 0 && s.isMatch == previous : s.isMatch && !previous
                if joins, let last = kept.last {
                    kept[kept.count - 1] = last.lowerBound..<s.range.upperBound
                } else {
                    kept.append(s.range)
                }
                previous = s.isMatch
            }
        case .mergedWithNext:
            var previous = false
            for s in segments.reversed() {
                if s.isMatch && !previous, let last = kept.last {
                    kept[kept.count - 1] = s.range.lowerBound..<last.upperBound
                } else {
                    kept.append(s.range)
                }
                previous = s.isMatch
            }
            kept.reverse()
        }
        for r in kept where !r.isEmpty {
            out.append(piece.slice(r))
        }
    }
}
