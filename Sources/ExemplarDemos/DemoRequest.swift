import ExemplarCore
import ExemplarData

/// One demonstration request: the policy and its options, seed, support split, template,
/// label words, special tokens and placement. `exemplar demos` and `POST
/// /v1/indexes/{name}/demonstrations` both decode into it, so both share its defaults, its
/// limits (`Limits`) and its checks (`validate(for:)`); `makeDemos(_:)` builds the selector
/// and renderer from it.
///
/// An option left `nil` takes the policy's default. Options that do not apply to the policy
/// (such as `lambda` for `lmbff`) are ignored, as LM-BFF's own flags are.
public struct DemoRequest: Sendable, Hashable {
    public enum Policy: String, Sendable, Hashable, CaseIterable {
        case lmbff, random, nearest, mmr, inContext = "in-context", topkDPP = "topk-dpp"
        case balanced
        case bm25
    }
    public enum Order: String, Sendable, Hashable, CaseIterable { case random, nearest }
    public enum Tokens: String, Sendable, Hashable, CaseIterable { case roberta, bert }
    /// Label words as given: LM-BFF's text form (`{'0':'terrible','1':'great'}` or JSON), or a mapping.
    public enum Words: Sendable, Hashable {
        case text(String)
        case mapping([String: String])
    }

    public var policy: Policy = .lmbff
    /// lmbff: fraction kept per label (default 0.5); in-context with random order: optional filter.
    public var filterRate: Double?
    /// lmbff, random, in-context (random order): contexts per query (default 16; in-context 1).
    public var numSample: Int?
    /// nearest, mmr: demonstrations per label (default 1).
    public var k: Int?
    /// mmr: relevance weight (default 0.5).
    public var lambda: Double?
    /// in-context, balanced: demonstrations per context (default 4).
    public var count: Int?
    /// in-context: random draws (default) or the most similar.
    public var order: Order?
    public var seed: UInt64 = 42
    /// The split demonstrations come from.
    public var support = "train"
    /// An LM-BFF template, or `lmbff` for the task's manual one.
    public var template: String?
    /// Label words (default with template `lmbff`: the task's).
    public var labelWords: Words?
    /// Special tokens (default: with LM-BFF's rules, the target tokenizer's own; else RoBERTa's).
    public var specialTokens: Tokens?
    /// in-context with a template: demonstrations after the query (default) or before it.
    public var placement: InContextPlacement?
    /// Most tokens of sentence 0 in a context (LM-BFF's `first_sent_limit`); counted by the
    /// target LM's tokenizer, which `makeDemos`/`makeRenderer` must then be given.
    public var firstSentLimit: Int?
    /// Most tokens of every other sentence, demonstrations' included (`other_sent_limit`).
    public var otherSentLimit: Int?
    /// topk-dpp: candidates by cosine before the DPP (OpenICL's `candidate_num`; default 100, CEIL's `dpp_topk`).
    public var candidateNum: Int?
    /// topk-dpp: OpenICL's `scale_factor` (default 0.1).
    public var scaleFactor: Double?
    /// topk-dpp: greedy MAP (default) or an exact k-DPP sample.
    public var dppMode: TopKDPP.Mode?
    /// topk-dpp: choose per label group (k and candidate_num per label; default false); bm25: k per label (default true).
    public var perClass: Bool?
    /// The order of demonstrations in every context (default: the policy's own, label order for per-label policies).
    public var contextOrder: ContextOrder?
    /// Support examples with cosine similarity above this to the query are not candidates (a leakage guard).
    public var maxSimilarity: Double?
    /// Most tokens of a rendered context: the least similar demonstrations are dropped until it fits.
    public var maxContextTokens: Int?
    /// bm25: BM25's share of a hybrid score with cosine, 0 to 1 (BM25 min-max scaled over the
    /// support set per query, as `exemplar query --mode hybrid`); nil: BM25 alone.
    public var bm25Weight: Double?
    /// LM-BFF's run_experiment.sh settings for a task: template, label words, sentence limits,
    /// double_demo, max_seq_length and num_sample, each unless given (`LMBFFSettings`).
    public var lmbffTask: LMBFFTask?
    /// The target LM's tokenizer as its front end names it (a path), when one is given: part of
    /// the request's identity (the server caches demos per request); `makeDemos` gets it loaded.
    public var tokenizer: String?
    /// The whole context's token limit before `double_demo` (LM-BFF's `max_seq_length`;
    /// default 128 with token ids).
    public var maxSeqLength: Int?
    /// Twice `max_seq_length` (LM-BFF's `--double_demo`).
    public var doubleDemo: Bool?
    /// Cut an over-long context's head instead of its tail (LM-BFF's `--truncate_head`).
    public var truncateHead: Bool?
    /// Exemplar's per-query streams (default) or LM-BFF's one numpy stream.
    public var sampling: Sampling?
    /// Token ids out (`ModelInputs`): needs the target tokenizer.
    public var ids = false

    /// Where random draws come from.
    public enum Sampling: String, Sendable, Hashable, CaseIterable {
        /// A stream per (seed, query): a query's samples do not depend on the other queries.
        case perQuery = "per-query"
        /// LM-BFF's: `np.random.seed(seed)`, then one `np.random.permutation` per (sample, query),
        /// sample-major over the queries in order, split after split (dev before test).
        case lmbff
    }

    public init() {}

    /// The ranges every front end accepts.
    public enum Limits {
        public static let numSample = 1...1_000
        public static let perLabel = 1...10_000
        public static let count = 1...10_000
        public static let seed = 0...Int(Int64.max)
        public static let maxContextTokens = 1...10_000_000
        public static let maxSeqLength = 1...100_000
    }

    /// Each option's names: `json` in requests, `option` on the command line.
    public enum Parameter: String, Sendable, Hashable, CaseIterable {
        case policy, filterRate = "filter_rate", numSample = "num_sample", k, lambda, count, order, seed, support, template
        case labelWords = "label_words", specialTokens = "special_tokens", placement
        case firstSentLimit = "first_sent_limit", otherSentLimit = "other_sent_limit"
        case candidateNum = "candidate_num", scaleFactor = "scale_factor", dppMode = "dpp_mode", perClass = "per_class"
        case contextOrder = "context_order", maxSimilarity = "max_similarity", maxContextTokens = "max_context_tokens"
        case bm25Weight = "bm25_weight"
        case lmbffTask = "lmbff_task", tokenizer, maxSeqLength = "max_seq_length", doubleDemo = "double_demo"
        case truncateHead = "truncate_head", sampling, ids

        /// The JSON field name.
        public var json: String { rawValue }
        /// The command-line option.
        public var option: String { "--" + rawValue.replacingOccurrences(of: "_", with: "-") }
    }

    /// The selection policy with defaults filled in; throws naming the option out of range.
    public func selectionPolicy() throws(DemoError) -> SelectionPolicy {
        func check<T: Comparable>(_ value: T?, _ range: ClosedRange<T>, _ parameter: Parameter) throws(DemoError) {
            if let value, !range.contains(value) {
                throw .invalidParameter(parameter, value: "\(value)", reason: "must be in \(range.lowerBound)...\(range.upperBound)")
            }
        }
        try check(numSample, Limits.numSample, .numSample)
        try check(k, Limits.perLabel, .k)
        try check(count, Limits.count, .count)
        if let filterRate, !(filterRate > 0 && filterRate <= 1) {
            throw .invalidParameter(.filterRate, value: "\(filterRate)", reason: "the filter rate must be in (0, 1] (LM-BFF's demo_filter_rate, default 0.5)")
        }
        try check(lambda, 0...1, .lambda)
        try check(bm25Weight, 0...1, .bm25Weight)
        if bm25Weight != nil && policy != .bm25 {
            throw .invalidParameter(.bm25Weight, value: "\(bm25Weight!)", reason: "applies to policy bm25 only (its hybrid score)")
        }
        switch policy {
        case .lmbff: return .lmbff(filterRate: filterRate ?? 0.5, samples: numSample ?? 16)
        case .random: return .random(samples: numSample ?? 16)
        case .nearest: return .nearest(perLabel: k ?? 1)
        case .mmr: return .mmr(perLabel: k ?? 1, lambda: lambda ?? 0.5)
        case .inContext:
            return .inContext(count: count ?? 4, order: order == .nearest ? .nearest : .random(samples: numSample ?? 1, filterRate: filterRate))
        case .topkDPP: return try topkDPPPolicy()
        case .balanced: return .balanced(count: count ?? 4)
        case .bm25: return bm25Policy()
        }
    }

    /// Checks the request against the data it will run on: options in range, the support
    /// split exists, the template parses, uses sentences the examples have and has label words.
    public func validate(for source: DemoSource, tokenizer: (any TemplateTokenizer)? = nil) throws(DemoError) {
        _ = try makeRenderer(for: source, tokenizer: tokenizer)
    }

    /// The selector and renderer for `source`, after `validate(for:)`'s checks. `tokenizer`
    /// (the target LM's) counts the sentence limits' tokens; it is needed only with limits.
    public func makeDemos(_ source: DemoSource, tokenizer: (any TemplateTokenizer)? = nil) throws(DemoError) -> IndexDemos {
        let request = try resolved(for: source, tokenizer: tokenizer)
        let policy = try request.selectionPolicy()
        let renderer = try request.renderer(for: source, tokenizer: tokenizer)
        var demos = try IndexDemos(exact: source.exact, policy: policy, seed: seed, supportSplit: support,
                                   grouping: source.grouping, renderer: renderer)
        demos.selector.maxSimilarity = maxSimilarity
        if case .bm25 = policy { demos.selector.lexical = try source.supportBM25(ids: demos.selector.support.ids) }
        demos.arrangement = try contextArrangement(tokenizer: tokenizer)
        demos.sampling = request.sampling ?? .perQuery
        if request.ids, let renderer, let model = tokenizer as? ModelTokenizer {
            do throws(TemplateError) { demos.inputEncoder = try InputEncoder(tokenizer: model, renderer: renderer) } catch {
                throw error.field == "tokenizer" ? .invalidParameter(request.specialTokens == nil ? .tokenizer : .specialTokens, value: nil, reason: error.description)
                    : .template(error)
            }
        }
        return demos
    }

    /// The context renderer for the template and label words, or nil without a template.
    public func makeRenderer(for source: DemoSource, tokenizer: (any TemplateTokenizer)? = nil) throws(DemoError) -> ContextRenderer? {
        try resolved(for: source, tokenizer: tokenizer).renderer(for: source, tokenizer: tokenizer)
    }

    /// The renderer of a request `resolved(for:tokenizer:)` has completed.
    func renderer(for source: DemoSource, tokenizer: (any TemplateTokenizer)?) throws(DemoError) -> ContextRenderer? {
        let policy = try selectionPolicy()
        _ = try contextArrangement(tokenizer: tokenizer)
        for (parameter, limit) in [(Parameter.firstSentLimit, firstSentLimit), (.otherSentLimit, otherSentLimit)] {
            guard let limit else { continue }
            guard limit >= 0 else { throw .invalidParameter(parameter, value: "\(limit)", reason: "must be 0 or more tokens") }
            guard template != nil else { throw .invalidParameter(parameter, value: "\(limit)", reason: "needs a template") }
            guard tokenizer != nil else {
                throw .invalidParameter(parameter, value: "\(limit)", reason: "counts the target LM's tokens, so it needs that tokenizer (tokenizer: a model folder or tokenizer.json)")
            }
        }
        guard source.splits.contains(support) else {
            throw .invalidParameter(.support, value: support, reason: "no such split in \(source.name); its splits are \(source.splits.joined(separator: ", "))")
        }
        guard var text = template else {
            if labelWords != nil { throw .invalidParameter(.labelWords, value: nil, reason: "needs a template") }
            return nil
        }
        // Label words given win; template "lmbff" supplies the task's manual template and words.
        var manual: [String: String]?
        if text == "lmbff" {
            guard let task = source.task else {
                throw .invalidParameter(.template, value: "lmbff", reason: "needs an index built for an LM-BFF task; give the template and label words")
            }
            (text, manual) = TaskTemplates.manual(for: task)
        }
        if labelWords == nil && manual == nil {
            throw .invalidParameter(.labelWords, value: nil, reason: "is required with a template: an object from each label to its word, e.g. {\"0\":\"terrible\",\"1\":\"great\"} (or use the template lmbff)")
        }
        let words: LabelWords, parsed: Template
        do throws(TemplateError) {
            switch labelWords {
            case .text(let raw)?: words = try LabelWords(parsing: raw, labels: source.grouping)
            case .mapping(let mapping)?: words = try LabelWords(mapping, labels: source.grouping)
            case nil: words = try LabelWords(manual ?? [:], labels: source.grouping)
            }
            parsed = try Template(text)
        } catch { throw .template(error) }
        let highest = parsed.parts.compactMap { part -> Int? in if case .sentence(let i, _) = part { i } else { nil } }.max() ?? 0
        if highest >= source.sentenceCount {
            let n = source.sentenceCount
            throw .invalidParameter(.template, value: nil, reason: "the template uses sentence \(highest) (*sent_\(highest)*) but \(source.name)'s examples have \(n) sentence\(n == 1 ? " (*sent_0*)" : "s (*sent_0*, *sent_1*)")")
        }
        let layout: ContextRenderer.Layout
        switch policy {
        case .nearest(let k), .mmr(let k, _): layout = .perLabel(count: k)
        case .inContext(let count, _), .balanced(let count): layout = .inContext(count: count, placement: placement ?? .tail)
        case .lmbff, .random: layout = .perLabel(count: 1)
        case .topkDPP(let o): layout = o.perClass ? .perLabel(count: o.k) : .inContext(count: o.k, placement: placement ?? .tail)
        case let .bm25(k, perClass, _): layout = perClass ? .perLabel(count: k) : .inContext(count: k, placement: placement ?? .tail)
        }
        let tokens = try specialTokenSet(tokenizer: tokenizer)
        let limit = try lengthLimit(layout: layout)
        do throws(TemplateError) {
            return try ContextRenderer(template: parsed, labelWords: words, layout: layout,
                                       specialTokens: tokens, tokenizer: tokenizer,
                                       firstSentLimit: firstSentLimit, otherSentLimit: otherSentLimit, lengthLimit: limit)
        } catch { throw .template(error) }
    }
}
