extension DemoRequest {
    /// The context order and token budget, checked: `max_similarity` in [-1, 1],
    /// `max_context_tokens` in `Limits.maxContextTokens` and with a tokenizer to count them.
    public func contextArrangement(tokenizer: (any TemplateTokenizer)?) throws(DemoError) -> ContextArrangement {
        if let maxSimilarity, !(maxSimilarity >= -1 && maxSimilarity <= 1) {
            throw .invalidParameter(.maxSimilarity, value: "\(maxSimilarity)", reason: "must be a cosine similarity in [-1, 1] (e.g. 0.95 drops near-copies of the query)")
        }
        if let maxContextTokens {
            guard Limits.maxContextTokens.contains(maxContextTokens) else {
                throw .invalidParameter(.maxContextTokens, value: "\(maxContextTokens)", reason: "must be in \(Limits.maxContextTokens.lowerBound)...\(Limits.maxContextTokens.upperBound) tokens")
            }
            guard tokenizer != nil else {
                throw .invalidParameter(.maxContextTokens, value: "\(maxContextTokens)", reason: "counts tokens, so it needs a tokenizer (the index model's, or --tokenizer DIR)")
            }
        }
        return ContextArrangement(order: contextOrder, seed: seed, maxTokens: maxContextTokens, tokenizer: tokenizer)
    }
}
