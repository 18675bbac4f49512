/// One entry of tokenizer.json's `added_tokens`.
public struct AddedToken: Sendable, Equatable {
    public let id: Int32
    public let content: String
    public let special: Bool
    /// Only matched when not inside a word.
    public let singleWord: Bool
    /// The match takes the whitespace before (`lstrip`) / after (`rstrip`) it.
    public let lstrip: Bool
    public let rstrip: Bool
    /// Matched in the normalized text (true) or the raw text (false).
    public let normalized: Bool

    public init(id: Int32, content: String, special: Bool, singleWord: Bool = false, lstrip: Bool = false,
                rstrip: Bool = false, normalized: Bool) {
        self.id = id
        self.content = content
        self.special = special
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized
    }
}

/// Finds added tokens in text, leftmost-longest and non-overlapping, with their
/// `single_word`/`lstrip`/`rstrip` rules, as tokenizers' `AddedVocabulary::find_matches`.
struct AddedTokenMatcher: Sendable {
    struct Pattern: Sendable {
        let scalars: [Unicode.Scalar]
        let token: AddedToken
    }
    /// Patterns by first scalar, longest first.
    let byFirst: [Unicode.Scalar: [Pattern]]

    init(_ patterns: [Pattern]) {
        var map: [Unicode.Scalar: [Pattern]] = [:]
        for p in patterns where !p.scalars.isEmpty { map[p.scalars[0], default: []].append(p) }
        for key in map.keys { map[key]!.sort { $0.scalars.count > $1.scalars.count } }
        byFirst = map
    }

    var isEmpty: Bool { byFirst.isEmpty }

    /// `text` cut into stretches, each an added token's id or nil (plain text), covering it.
    func split(_ text: [Unicode.Scalar]) -> [(range: Range<Int>, id: Int32?)] {
        guard !isEmpty, !text.isEmpty else { return [(0..<text.count, nil)] }
        var out: [(range: Range<Int>, id: Int32?)] = []
        var startOffset = 0
        var i = 0
        while i < text.count {
            guard let candidates = byFirst[text[i]],
                  let p = candidates.first(where: { i + $0.scalars.count <= text.count && text[i..<(i + $0.scalars.count)].elementsEqual($0.scalars) })
            else {
                i += 1
                continue
            }
            var start = i
            var stop = i + p.scalars.count
            i = stop  // the automaton resumes after the raw match
            let token = p.token
            if token.singleWord {
                let startSpace = start == 0 || !ScalarClass.isWord(text[start - 1])
                let stopSpace = stop == text.count || !ScalarClass.isWord(text[stop])
                if !startSpace || !stopSpace { continue }
            }
            if token.lstrip {
                var s = start
                while s > 0 && text[s - 1].properties.isWhitespace { s -= 1 }
                start = max(s, startOffset)
            }
            if token.rstrip {
                while stop < text.count && text[stop].properties.isWhitespace { stop += 1 }
            }
            if startOffset < start { out.append((startOffset..<start, nil)) }
            out.append((start..<stop, token.id))
            startOffset = stop
        }
        if startOffset != text.count { out.append((startOffset..<text.count, nil)) }
        return out
    }
}
