/// A rendered context: the segments in order, and the text they make.
public struct RenderedContext: Sendable, Hashable {
    /// The segments in order.
    public let segments: [ContextSegment]

    /// The context as one string (the segments' texts joined).
    public var text: String { segments.map(\.text).joined() }

    /// The number of tokens, when the renderer had a tokenizer.
    public var tokenCount: Int? {
        var total = 0
        for segment in segments {
            guard let tokens = segment.tokens else { return nil }
            total += tokens.count
        }
        return total
    }
}

/// One piece of a rendered context.
public struct ContextSegment: Sendable, Hashable {
    /// What the piece is.
    public let role: SegmentRole
    /// Its text as it appears in the context (label words and `+sent` forms with their leading space).
    public let text: String
    /// The segment (token type) id: 0, plus one after each `*sep+*`.
    public let segmentID: Int
    /// Its tokens, when the renderer had a tokenizer.
    public let tokens: [String]?
    /// Whether a sentence limit cut it.
    public let truncated: Bool
}

/// What a context segment is.
public enum SegmentRole: Sendable, Hashable {
    case cls
    case sep
    case mask
    /// Query sentence `i` (0, or 1 for the second sentence of a pair).
    case querySentence(Int)
    /// Sentence `sentence` of demonstration `demo` (an index into the demonstrations passed to `render`).
    case demoSentence(demo: Int, sentence: Int)
    /// The word of label group `label`; `demo` is set for an in-context demonstration's label.
    case labelWord(label: Int, demo: Int?)
    /// Literal template text.
    case literal
}

/// A demonstration's text for rendering: its label group and sentences (one, or two for pairs).
public struct DemoText: Sendable, Hashable {
    public let group: Int
    public let sentences: [String]

    public init(group: Int, sentences: [String]) {
        self.group = group
        self.sentences = sentences
    }
}
