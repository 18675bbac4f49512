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

    public init(template: Template, labelWords: LabelWords, layout: Layout = .perLabel(),
                specialTokens: SpecialTokens = .roberta, tokenizer: (any TemplateTokenizer)? = nil,
                firstSentLimit: Int? = nil, otherSentLimit: Int? = nil) throws(TemplateError) {
        for (option, limit) in [("first_sent_limit", firstSentLimit), ("other_sent_limit", otherSentLimit)] {
            if let limit, limit < 0 { throw .invalidOption(option: option, value: "\(limit)", expected: "0 or more tokens") }
        }
        if (firstSentLimit != nil || otherSentLimit != nil) && tokenizer == nil { throw .truncationNeedsTokenizer }
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
                segments.append(plain(.labelWord(label: label, demo: nil), labelWords.rendered(label), segmentID))
            case .demoLabelWord(let slot):
                let label = demonstrations[slots[slot]].group
                segments.append(plain(.labelWord(label: label, demo: slots[slot]), labelWords.rendered(label), segmentID))
            case .text(let raw):
                segments.append(plain(.literal, raw.replacingOccurrences(of: "_", with: " "), segmentID))
            case let .sentence(index, style):
                guard index < inputs.count else { throw .missingSentence(token: "\(style.prefix)_\(index)", provided: inputs.count) }
                let role: SegmentRole = index < n || slots.isEmpty
                    ? .querySentence(index)
                    : .demoSentence(demo: slots[(index - n) / n], sentence: (index - n) % n)
                segments.append(sentence(role, style.apply(inputs[index]), limit: index == 0 ? firstSentLimit : otherSentLimit, segmentID))
            }
        }
        return RenderedContext(segments: segments)
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
        ContextSegment(role: role, text: text, segmentID: segmentID, tokens: tokenizer?.tokenize(text), truncated: false)
    }

    /// A sentence, cut to `limit` tokens when given (the leading space of `+sent` counts, as in LM-BFF).
    private func sentence(_ role: SegmentRole, _ text: String, limit: Int?, _ segmentID: Int) -> ContextSegment {
        guard let tokenizer else { return plain(role, text, segmentID) }
        let tokens = tokenizer.tokenize(text)
        guard let limit, tokens.count > limit else {
            return ContextSegment(role: role, text: text, segmentID: segmentID, tokens: tokens, truncated: false)
        }
        let kept = Array(tokens.prefix(limit))
        return ContextSegment(role: role, text: tokenizer.detokenize(kept), segmentID: segmentID, tokens: kept, truncated: true)
    }
}
