/// Renders a query and its demonstrations through an LM-BFF template (`tokenize_multipart_input`),
/// as text with each segment's role, not as model ids.
public struct ContextRenderer: Sendable {
    /// Where demonstrations go.
    public enum Layout: Sendable, Hashable {
        /// The template as written: no demonstrations.
        case queryOnly
        /// LM-BFF's prompt-demo: `count` demonstrations per label, in label order, after the query.
        case perLabel(count: Int = 1)
        /// GPT-3 in-context: `count` demonstrations of any labels, in the order given.
        case inContext(count: Int, placement: InContextPlacement = .tail)
    }

    /// The template as given.
    public let baseTemplate: Template
    /// The template extended for the layout (what is rendered).
    public let template: Template
    public let labelWords: LabelWords
    public let layout: Layout
    public let specialTokens: SpecialTokens
    public let tokenizer: (any TemplateTokenizer)?
    /// Most tokens of sentence 0 (LM-BFF's `first_sent_limit`).
    public let firstSentLimit: Int?
    /// Most tokens of every other sentence, demonstrations' included (`other_sent_limit`).
    public let otherSentLimit: Int?
    /// The whole context's token limit (LM-BFF's `max_length`), cut from the tail or the head.
    public let lengthLimit: LengthLimit?
    /// Tokens of texts rendered again and again (support sentences in each style, literals,
    /// label words): `withTokenCache(sentences:threads:)` fills it; a text not in it is tokenized.
    private var tokenCache: [String: [String]] = [:]

    /// LM-BFF's cut of a whole context (`tokenize_multipart_input`): to `maxLength` tokens, from
    /// the tail (default) or, with `truncateHead`, from the head.
    public struct LengthLimit: Sendable, Hashable {
        public var maxLength: Int
        public var truncateHead: Bool

        public init(maxLength: Int, truncateHead: Bool = false) {
            self.maxLength = maxLength
            self.truncateHead = truncateHead
        }
    }

    /// With a tokenizer, parts are tokenized as LM-BFF's `tokenize_multipart_input` does: each
    /// part on its own, a one-character literal as that token itself, a label word as the token
    /// of `" " + word` (the word itself when it starts with `<`, `[`, `.` or `,`), a sentence
    /// that is only whitespace as no token (transformers' slow tokenizers), a sentence cut to its
    /// limit mid-word, then the whole context cut to `lengthLimit`.
    public init(template: Template, labelWords: LabelWords, layout: Layout = .perLabel(),
                specialTokens: SpecialTokens = .roberta, tokenizer: (any TemplateTokenizer)? = nil,
                firstSentLimit: Int? = nil, otherSentLimit: Int? = nil, lengthLimit: LengthLimit? = nil) throws(TemplateError) {
        for (option, limit) in [("first_sent_limit", firstSentLimit), ("other_sent_limit", otherSentLimit)] {
            if let limit, limit < 0 { throw .invalidOption(option: option, value: "\(limit)", expected: "0 or more tokens") }
        }
        if let lengthLimit, lengthLimit.maxLength < 1 {
            throw .invalidOption(option: "max_seq_length", value: "\(lengthLimit.maxLength)", expected: "at least 1 token")
        }
        if (firstSentLimit != nil || otherSentLimit != nil || lengthLimit != nil) && tokenizer == nil { throw .truncationNeedsTokenizer }
        let labels = labelWords.words.count
        let extended: Template
        switch layout {
        case .queryOnly:
            extended = template
        case .perLabel(let count):
            guard count >= 1 else { throw .invalidOption(option: "demonstrations per label", value: "\(count)", expected: "at least 1") }
            extended = template.withDemonstrations(labels: labels, perLabel: count)
        case let .inContext(count, placement):
            guard count >= 1 else { throw .invalidOption(option: "in-context demonstration count", value: "\(count)", expected: "at least 1") }
            extended = template.withInContextDemonstrations(count: count, placement: placement)
        }
        for part in extended.parts {
            switch part {
            case .labelWord(let i) where i >= labels:
                throw .missingLabel(token: "label_\(i)", labels: labels)
            case .demoLabelWord(let i):
                let slots = if case .inContext(let count, _) = layout { count } else { 0 }
                if i >= slots { throw .missingLabel(token: "labelx_\(i)", labels: slots) }
            default:
                break
            }
        }
        self.baseTemplate = template
        self.template = extended
        self.labelWords = labelWords
        self.layout = layout
        self.specialTokens = specialTokens
        self.tokenizer = tokenizer
        self.firstSentLimit = firstSentLimit
        self.otherSentLimit = otherSentLimit
        self.lengthLimit = lengthLimit
    }

    /// The context for `query` (its sentences) and `demonstrations`. Per-label layouts order the
    /// demonstrations by label (stable), as LM-BFF does, whatever order they come in.
    public func render(query: [String], demonstrations: [DemoText] = []) throws(TemplateError) -> RenderedContext {
        let n = baseTemplate.querySentenceCount
        let labels = labelWords.words.count
        var slots: [Int] = []  // demonstration index per demonstration slot, in template order
        switch layout {
        case .queryOnly:
            break
        case .perLabel(let count):
            for demo in demonstrations where demo.group < 0 || demo.group >= labels {
                throw .demonstrationLabelOutOfRange(group: demo.group, labels: labels)
            }
            for label in 0..<labels {
                let members = demonstrations.indices.filter { demonstrations[$0].group == label }
                guard members.count == count else {
                    throw .demonstrationCountMismatch(label: labelWords.labels[label], expected: count, found: members.count)
                }
                slots += members
            }
        case .inContext(let count, _):
            guard demonstrations.count == count else { throw .inContextCountMismatch(expected: count, found: demonstrations.count) }
            for demo in demonstrations where demo.group < 0 || demo.group >= labels {
                throw .demonstrationLabelOutOfRange(group: demo.group, labels: labels)
            }
            slots = Array(demonstrations.indices)
        }
        if !slots.isEmpty {
            guard query.count == n else { throw .sentenceCountMismatch(what: "the query", expected: n, found: query.count) }
            for index in slots where demonstrations[index].sentences.count != n {
                throw .sentenceCountMismatch(what: "demonstration \(index)", expected: n, found: demonstrations[index].sentences.count)
            }
        }
        // LM-BFF's input list: the query's sentences, then each slot's sentences.
        let inputs = query + slots.flatMap { demonstrations[$0].sentences }

        var segments: [ContextSegment] = []
        var segmentID = 0
        for part in template.parts {
            switch part {
            case .cls:
                segments.append(special(.cls, specialTokens.cls, segmentID))
            case .mask:
                segments.append(special(.mask, specialTokens.mask, segmentID))
            case .sep(let plus):
                segments.append(special(.sep, specialTokens.sep, segmentID))
                if plus { segmentID += 1 }
            case .labelWord(let label):
                segments.append(labelWord(.labelWord(label: label, demo: nil), label, segmentID))
            case .demoLabelWord(let slot):
                let label = demonstrations[slots[slot]].group
                segments.append(labelWord(.labelWord(label: label, demo: slots[slot]), label, segmentID))
            case .text(let raw):
                let text = raw.replacingOccurrences(of: "_", with: " ")
                // LM-BFF: a one-character literal is looked up as a token (`_convert_token_to_id`).
                segments.append(text.unicodeScalars.count == 1 && tokenizer != nil
                    ? ContextSegment(role: .literal, text: text, segmentID: segmentID, tokens: [text], truncated: false)
                    : plain(.literal, text, segmentID))
            case let .sentence(index, style):
                guard index < inputs.count else { throw .missingSentence(token: "\(style.prefix)_\(index)", provided: inputs.count) }
                let role: SegmentRole = index < n || slots.isEmpty
                    ? .querySentence(index)
                    : .demoSentence(demo: slots[(index - n) / n], sentence: (index - n) % n)
                segments.append(sentence(role, style.apply(inputs[index]), limit: index == 0 ? firstSentLimit : otherSentLimit, segmentID))
            }
        }
        guard let lengthLimit else { return RenderedContext(segments: segments) }
        return RenderedContext(segments: cut(segments, to: lengthLimit))
    }

    /// The context for `query` and a selected sample, `sentences` giving each demonstration's text
    /// (from the caller's records): the step from `DemoSelector.select` to a prompt.
    public func render(query: [String], sample: [Demonstration],
                       sentences: (Demonstration) throws(TemplateError) -> [String]) throws(TemplateError) -> RenderedContext {
        var texts: [DemoText] = []
        for demo in sample { texts.append(DemoText(group: demo.group, sentences: try sentences(demo))) }
        return try render(query: query, demonstrations: texts)
    }

    private func special(_ role: SegmentRole, _ token: String, _ segmentID: Int) -> ContextSegment {
        ContextSegment(role: role, text: token, segmentID: segmentID, tokens: tokenizer == nil ? nil : [token], truncated: false)
    }

    private func plain(_ role: SegmentRole, _ text: String, _ segmentID: Int) -> ContextSegment {
        ContextSegment(role: role, text: text, segmentID: segmentID, tokens: tokenizer.map { tokenCache[text] ?? $0.tokenize(text) }, truncated: false)
    }

    /// The renderer with the tokens of `sentences` (each example's, e.g. the support set's) in
    /// every sentence style of the template, and of its literals and label words, computed once.
    public func withTokenCache(sentences: [[String]], threads: Int = 1) -> ContextRenderer {
        guard let tokenizer else { return self }
        var styles = Set<SentenceStyle>()
        var texts = Set<String>()
        for part in template.parts {
            switch part {
            case .sentence(_, let style): styles.insert(style)
            case .text(let raw): texts.insert(raw.replacingOccurrences(of: "_", with: " "))
            default: break
            }
        }
        for group in labelWords.words.indices { texts.insert(labelWords.rendered(group)) }
        for example in sentences {
            for sentence in example { for style in styles { texts.insert(style.apply(sentence)) } }
        }
        let list = Array(texts.filter { tokenCache[$0] == nil })
        let tokens = (try? IndexDemos.concurrentMap(list.count, threads: threads) { tokenizer.tokenize(list[$0]) }) ?? []
        var copy = self
        copy.tokenCache.reserveCapacity(tokenCache.count + list.count)
        for (text, pieces) in zip(list, tokens) { copy.tokenCache[text] = pieces }
        return copy
    }

    /// A label word: LM-BFF's one token of `" " + word` (tokenized; the id step checks it is one),
    /// or the word itself as a token when it starts with `<`, `[`, `.` or `,`.
    private func labelWord(_ role: SegmentRole, _ label: Int, _ segmentID: Int) -> ContextSegment {
        let text = labelWords.rendered(label)
        guard tokenizer != nil, text == labelWords.words[label] else { return plain(role, text, segmentID) }
        return ContextSegment(role: role, text: text, segmentID: segmentID, tokens: [text], truncated: false)
    }

    /// A sentence, cut to `limit` tokens when given (the leading space of `+sent` counts, as in LM-BFF).
    private func sentence(_ role: SegmentRole, _ text: String, limit: Int?, _ segmentID: Int) -> ContextSegment {
        guard let tokenizer else { return plain(role, text, segmentID) }
        // transformers' slow tokenizers give no token for text that is only whitespace.
        let tokens = text.allSatisfy(\.isWhitespace) ? [] : tokenCache[text] ?? tokenizer.tokenize(text)
        guard let limit, tokens.count > limit else {
            return ContextSegment(role: role, text: text, segmentID: segmentID, tokens: tokens, truncated: false)
        }
        let kept = Array(tokens.prefix(limit))
        return ContextSegment(role: role, text: tokenizer.detokenize(kept), segmentID: segmentID, tokens: kept, truncated: true)
    }

    /// The segments cut to `limit.maxLength` tokens: the first ones (tail cut) or the last ones
    /// (head cut); a segment cut inside keeps the text of its kept tokens.
    private func cut(_ segments: [ContextSegment], to limit: LengthLimit) -> [ContextSegment] {
        let total = segments.reduce(0) { $0 + ($1.tokens?.count ?? 0) }
        guard total > limit.maxLength, let tokenizer else { return segments }
        var budget = limit.maxLength
        var kept: [ContextSegment] = []
        for segment in limit.truncateHead ? segments.reversed() : segments {
            let tokens = segment.tokens ?? []
            if budget == 0 && !tokens.isEmpty { break }
            if tokens.count <= budget {
                kept.append(segment)
                budget -= tokens.count
                continue
            }
            let part = limit.truncateHead ? Array(tokens.suffix(budget)) : Array(tokens.prefix(budget))
            kept.append(ContextSegment(role: segment.role, text: tokenizer.detokenize(part), segmentID: segment.segmentID,
                                       tokens: part, truncated: true))
            budget = 0
        }
        return limit.truncateHead ? kept.reversed() : kept
    }
}
