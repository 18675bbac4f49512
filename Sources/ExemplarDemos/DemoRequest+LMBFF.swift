import ExemplarData

/// LM-BFF's per-task settings (run_experiment.sh at c282f52: TEMPLATE, MAPPING, TASK_EXTRA and
/// run.py's defaults: `max_seq_length` 128, `num_sample` 16).
public struct LMBFFSettings: Sendable, Hashable {
    public let template: String
    public let labelWords: [String: String]
    public let firstSentLimit: Int?
    public let otherSentLimit: Int?
    public let doubleDemo: Bool
    public let maxSeqLength: Int
    public let numSample: Int

    /// The settings run_experiment.sh gives `task` (WNLI, which it lacks: run.py's defaults).
    public init(task: LMBFFTask) {
        (template, labelWords) = TaskTemplates.manual(for: task)
        var first: Int?, other: Int?, double = false, length = 128, samples = 16
        switch task {
        case .qqp: samples = 4
        case .mnli, .snli: (length, samples) = (256, 4)
        case .rte: (length, first) = (256, 240)
        case .mr, .cr, .subj: (first, other, double) = (110, 50, true)
        case .sst5: (first, other, double) = (110, 20, true)
        case .trec, .mpqa: (first, double) = (110, true)
        case .sst2, .cola, .mrpc, .qnli, .stsb, .wnli: break
        }
        firstSentLimit = first
        otherSentLimit = other
        doubleDemo = double
        maxSeqLength = length
        numSample = samples
    }
}

extension DemoRequest {
    /// Whether the request builds an LM's inputs: token ids, an LM-BFF task, a sentence limit or a
    /// length rule. Then the tokenizer's own special tokens are the default (a tokenizer given only
    /// to count `max_context_tokens` leaves them as they were).
    var targetsLM: Bool {
        ids || lmbffTask != nil || maxSeqLength != nil || doubleDemo == true || truncateHead == true
            || firstSentLimit != nil || otherSentLimit != nil
    }

    /// The request with `lmbff_task`'s settings filled in where not given, checked: the task is
    /// the source's, a tokenizer is there for LM-BFF's length rules and ids, and the sampling is one
    /// LM-BFF has for the policy.
    public func resolved(for source: DemoSource, tokenizer: (any TemplateTokenizer)?) throws(DemoError) -> DemoRequest {
        var request = self
        if let task = lmbffTask {
            if let own = source.task, own != task {
                throw .invalidParameter(.lmbffTask, value: task.name, reason: "\(source.name) holds \(own.name) examples; give --lmbff-task \(own.name) or leave it out")
            }
            guard tokenizer != nil else {
                throw .invalidParameter(.lmbffTask, value: task.name, reason: "sets LM-BFF's max_seq_length and sentence limits, which count the target LM's tokens: give its tokenizer (tokenizer: a model folder or tokenizer.json)")
            }
            let settings = LMBFFSettings(task: task)
            if request.template == nil {
                request.template = settings.template
                if request.labelWords == nil { request.labelWords = .mapping(settings.labelWords) }
            }
            request.firstSentLimit = request.firstSentLimit ?? settings.firstSentLimit
            request.otherSentLimit = request.otherSentLimit ?? settings.otherSentLimit
            request.doubleDemo = request.doubleDemo ?? settings.doubleDemo
            request.maxSeqLength = request.maxSeqLength ?? settings.maxSeqLength
            request.numSample = request.numSample ?? settings.numSample
        }
        for (parameter, given) in [(Parameter.maxSeqLength, request.maxSeqLength != nil), (.doubleDemo, request.doubleDemo == true),
                                   (.truncateHead, request.truncateHead == true), (.ids, request.ids)] where given {
            guard tokenizer != nil else {
                throw .invalidParameter(parameter, value: nil, reason: "counts the target LM's tokens, so it needs that tokenizer (tokenizer: a model folder or tokenizer.json)")
            }
            guard request.template != nil else { throw .invalidParameter(parameter, value: nil, reason: "needs a template (or lmbff_task)") }
        }
        if request.ids && !(tokenizer is ModelTokenizer) {
            throw .invalidParameter(.ids, value: nil, reason: "needs a model tokenizer with a vocabulary (a model folder or tokenizer.json)")
        }
        if let length = request.maxSeqLength, !Limits.maxSeqLength.contains(length) {
            throw .invalidParameter(.maxSeqLength, value: "\(length)", reason: "must be in \(Limits.maxSeqLength.lowerBound)...\(Limits.maxSeqLength.upperBound) tokens")
        }
        if request.sampling == .lmbff {
            let policy = try request.selectionPolicy()
            switch policy {
            case .lmbff, .random, .inContext(_, .random): break
            default:
                throw .invalidParameter(.sampling, value: "lmbff", reason: "LM-BFF has no \(policy.name) policy; its draws (select_context) exist for policies lmbff, random and in-context with random order")
            }
            guard seed <= UInt64(UInt32.max) else {
                throw .invalidParameter(.seed, value: "\(seed)", reason: "LM-BFF's np.random.seed takes 0...\(UInt32.max) with sampling lmbff")
            }
        }
        return request
    }

    /// The special tokens: those asked for (checked against a model tokenizer when the request
    /// targets an LM), else the target tokenizer's own, else RoBERTa's.
    func specialTokenSet(tokenizer: (any TemplateTokenizer)?) throws(DemoError) -> SpecialTokens {
        let asked: SpecialTokens? = specialTokens.map { $0 == .bert ? .bert : .roberta }
        guard targetsLM, let model = tokenizer as? ModelTokenizer else { return asked ?? .roberta }
        if let asked {
            for token in [asked.cls, asked.sep, asked.mask] where model.id(of: token) == nil {
                throw .invalidParameter(.specialTokens, value: specialTokens?.rawValue, reason: "the target tokenizer has no \(token); leave special tokens out to use its own")
            }
            return asked
        }
        guard let own = model.specialTokens else {
            throw .invalidParameter(.tokenizer, value: self.tokenizer, reason: "has neither RoBERTa's <s> </s> <mask> nor BERT's [CLS] [SEP] [MASK], which LM-BFF's templates need (*cls*, *sep*, *mask*)")
        }
        return own
    }

    /// LM-BFF's whole-context limit: `max_seq_length` (default 128 with ids), doubled with
    /// `double_demo`, 512 for GPT-3-style in-context layouts (run.py); nil without a length rule.
    func lengthLimit(layout: ContextRenderer.Layout) throws(DemoError) -> ContextRenderer.LengthLimit? {
        guard maxSeqLength != nil || ids || doubleDemo == true || truncateHead == true else { return nil }
        var length = maxSeqLength ?? 128
        if doubleDemo == true { length *= 2 }
        if case .inContext = layout { length = 512 }
        return ContextRenderer.LengthLimit(maxLength: length, truncateHead: truncateHead ?? false)
    }
}
