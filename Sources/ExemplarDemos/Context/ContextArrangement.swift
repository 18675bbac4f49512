/// What happens to a policy's picks on the way into a context: the order (`context_order`)
/// and the token budget (`max_context_tokens`), applied per query after selection.
///
/// The budget drops the least similar demonstrations first (ties: the higher id) until the
/// context fits, keeping the others in their order. With a template it counts the rendered
/// context's tokens (special tokens count one each); without one, the tokens of the query's and
/// the demonstrations' sentences.
public struct ContextArrangement: Sendable {
    /// nil: the policy's own order.
    public var order: ContextOrder?
    /// The seed of the `random` order (a stream apart from the policy's draws).
    public var seed: UInt64
    /// Most tokens of a context.
    public var maxTokens: Int?
    /// Counts tokens for `maxTokens`.
    public var tokenizer: (any TemplateTokenizer)?

    public init(order: ContextOrder? = nil, seed: UInt64 = 42, maxTokens: Int? = nil, tokenizer: (any TemplateTokenizer)? = nil) {
        self.order = order
        self.seed = seed
        self.maxTokens = maxTokens
        self.tokenizer = tokenizer
    }

    /// The samples in the context order (each query's random order has its own stream, keyed like its draws).
    public func ordered(_ samples: [[Demonstration]], key: UInt64) -> [[Demonstration]] {
        guard let order else { return samples }
        var generator = SeededGenerator(seed: seed ^ 0x5DEE_CE66_D1CE_4E5B, key: key)
        return samples.map { order.apply($0, &generator) }
    }

    /// The demonstrations that fit the budget (all without one) and their rendered context
    /// (nil without a renderer). Throws naming `max_context_tokens` when the query alone is over it.
    public func fit(query: [String], sample: [Demonstration], renderer: ContextRenderer?,
                    sentences: (Demonstration) -> [String]) throws -> (demonstrations: [Demonstration], context: RenderedContext?) {
        func render(_ demos: [Demonstration]) throws -> RenderedContext? {
            try renderer.map { r throws(TemplateError) in try r.renderAny(query: query, sample: demos) { d throws(TemplateError) in sentences(d) } }
        }
        guard let maxTokens else { return (sample, try render(sample)) }
        guard let tokenizer else {
            throw DemoError.invalidParameter(.maxContextTokens, value: "\(maxTokens)", reason: "counts tokens, so it needs a tokenizer")
        }
        func tokens(_ demos: [Demonstration]) throws -> (Int, RenderedContext?) {
            if let context = try render(demos) { return (context.tokenCount ?? 0, context) }
            let texts = query + demos.flatMap(sentences)
            return (texts.reduce(0) { $0 + tokenizer.tokenize($1).count }, nil)
        }
        let (all, full) = try tokens(sample)
        if all <= maxTokens { return (sample, full) }
        let (alone, _) = try tokens([])
        guard alone <= maxTokens else {
            let text = query.joined(separator: " ")
            throw DemoError.invalidParameter(.maxContextTokens, value: "\(maxTokens)", reason:
                "is smaller than the query \"\(text.count > 60 ? text.prefix(57) + "..." : text)\" alone (\(alone) tokens); raise it")
        }
        // The m most similar, in context order; the token count falls as m does: find the largest m that fits.
        let rank = sample.indices.sorted { ContextOrder.moreSimilarThenLowerID(sample[$0], sample[$1]) }
        func kept(_ m: Int) -> [Demonstration] {
            let keep = Set(rank.prefix(m))
            return sample.indices.filter(keep.contains).map { sample[$0] }
        }
        var low = 0, high = sample.count - 1  // fits(low), !fits(high + 1)
        var best: RenderedContext? = nil
        while low < high {
            let mid = (low + high + 1) / 2
            let (count, context) = try tokens(kept(mid))
            if count <= maxTokens { low = mid; best = context } else { high = mid - 1 }
        }
        let demos = kept(low)
        if let best, renderer != nil { return (demos, best) }
        return (demos, try render(demos))
    }
}
