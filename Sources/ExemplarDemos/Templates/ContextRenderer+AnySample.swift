extension ContextRenderer {
    /// Renders any sample: with the layout as built when the sample fits it (per-label: `count`
    /// of each label, in label order; in-context: `count` demonstrations), else with the
    /// in-context layout for the sample's size (each demonstration with its own label word, in
    /// the order given; the query alone for none). LM-BFF's per-label text is the same either way.
    public func renderAny(query: [String], sample: [Demonstration],
                          sentences: (Demonstration) throws(TemplateError) -> [String]) throws(TemplateError) -> RenderedContext {
        if fits(sample.map(\.group)) { return try render(query: query, sample: sample, sentences: sentences) }
        return try resized(count: sample.count).render(query: query, sample: sample, sentences: sentences)
    }

    /// Whether demonstrations of these groups, in this order, fit the layout as built.
    func fits(_ groups: [Int]) -> Bool {
        switch layout {
        case .queryOnly: return groups.isEmpty
        case .inContext(let count, _): return groups.count == count
        case .perLabel(let count):
            let labels = labelWords.words.count
            return groups.count == count * labels && groups == (0..<labels).flatMap { Array(repeating: $0, count: count) }
        }
    }

    /// This renderer with the in-context layout for `count` demonstrations (the query alone for 0).
    func resized(count: Int) throws(TemplateError) -> ContextRenderer {
        let placement: InContextPlacement = if case .inContext(_, let p) = layout { p } else { .tail }
        return try ContextRenderer(template: baseTemplate, labelWords: labelWords,
                                   layout: count == 0 ? .queryOnly : .inContext(count: count, placement: placement),
                                   specialTokens: specialTokens, tokenizer: tokenizer,
                                   firstSentLimit: firstSentLimit, otherSentLimit: otherSentLimit)
    }
}
