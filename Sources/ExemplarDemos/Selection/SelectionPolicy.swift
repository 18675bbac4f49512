/// How demonstrations are chosen for a query.
public enum SelectionPolicy: Sendable, Hashable {
    /// LM-BFF's `--demo_filter`: keep per label the `int(candidates // labels * filterRate)` most
    /// similar candidates, then draw `samples` contexts of one demonstration per label from them.
    case lmbff(filterRate: Double = 0.5, samples: Int = 16)
    /// LM-BFF without the filter: `samples` contexts of one random demonstration per label.
    case random(samples: Int = 16)
    /// The `perLabel` most similar candidates of each label (ties: lower id first); one context.
    case nearest(perLabel: Int = 1)
    /// `perLabel` candidates of each label by maximal marginal relevance: each pick maximises
    /// `lambda·sim(query, c) − (1 − lambda)·max sim(c, already picked of that label)`.
    case mmr(perLabel: Int = 1, lambda: Double = 0.5)
    /// GPT-3 in-context learning (LM-BFF's `gpt3_in_context_*`): `count` demonstrations whatever their labels.
    case inContext(count: Int, order: InContextOrder = .random())
    /// OpenICL's TopK-DPP (`DPPRetriever`): `k` of the top `candidate_num` by a DPP, most relevant first.
    case topkDPP(TopKDPP)
    /// `count` most similar candidates spread round-robin across labels: the most similar of
    /// each label in label order, then the second of each, ... (a label that runs out is skipped).
    case balanced(count: Int = 4)
    /// Okapi BM25 of the query's words (rank_bm25's `BM25Okapi` over the index's postings): the
    /// `k` best of each label with `perClass`, else the `k` best of any label (OpenICL's BM25Retriever).
    /// With `hybridWeight` W, ranked by `W · BM25 scaled to [0, 1] + (1 − W) · cosine` instead.
    case bm25(k: Int = 1, perClass: Bool = true, hybridWeight: Double? = nil)

    /// Throws `DemoError.invalidOption`, naming the option, when a value is out of range.
    public func validate() throws(DemoError) {
        switch self {
        case let .lmbff(filterRate, samples):
            try Self.checkRate(filterRate)
            try Self.checkAtLeastOne("num_sample", samples)
        case let .random(samples):
            try Self.checkAtLeastOne("num_sample", samples)
        case let .nearest(perLabel):
            try Self.checkAtLeastOne("k (demonstrations per label)", perLabel)
        case let .mmr(perLabel, lambda):
            try Self.checkAtLeastOne("k (demonstrations per label)", perLabel)
            guard lambda >= 0 && lambda <= 1 else {
                throw .invalidOption(option: "lambda", value: "\(lambda)", expected: "in [0, 1] (1 = relevance only, 0 = diversity only)")
            }
        case let .inContext(count, order):
            try Self.checkAtLeastOne("in-context demonstration count", count)
            if case let .random(samples, filterRate) = order {
                try Self.checkAtLeastOne("num_sample", samples)
                if let filterRate { try Self.checkRate(filterRate) }
            }
        case let .topkDPP(options):
            try options.validate()
        case let .balanced(count):
            try Self.checkAtLeastOne("count (demonstrations per context)", count)
        case let .bm25(k, _, weight):
            try Self.checkAtLeastOne("k", k)
            if let weight, !(weight >= 0 && weight <= 1) {
                throw .invalidOption(option: "bm25_weight", value: "\(weight)", expected: "in [0, 1] (BM25's share of the hybrid score)")
            }
        }
    }

    /// The policy's name as a CLI would spell it.
    public var name: String {
        switch self {
        case .lmbff: "lmbff"
        case .random: "random"
        case .nearest: "nearest"
        case .mmr: "mmr"
        case .inContext: "in-context"
        case .topkDPP: "topk-dpp"
        case .balanced: "balanced"
        case .bm25: "bm25"
        }
    }

    private static func checkRate(_ rate: Double) throws(DemoError) {
        guard rate > 0 && rate <= 1 else {
            throw .invalidOption(option: "filter rate", value: "\(rate)", expected: "in (0, 1] (LM-BFF's demo_filter_rate, default 0.5)")
        }
    }

    private static func checkAtLeastOne(_ option: String, _ value: Int) throws(DemoError) {
        guard value >= 1 else { throw .invalidOption(option: option, value: "\(value)", expected: "at least 1") }
    }
}

/// How the in-context policy orders and picks its demonstrations.
public enum InContextOrder: Sendable, Hashable {
    /// The first `count` of a random permutation of the candidates (LM-BFF's way), `samples`
    /// times; with `filterRate`, of LM-BFF's filtered candidates.
    case random(samples: Int = 1, filterRate: Double? = nil)
    /// The `count` most similar candidates, most similar first (ties: lower id first).
    case nearest
}
