import ExemplarData
import ExemplarKernels
import ExemplarLexical

/// Chooses demonstrations for queries from a support set by a `SelectionPolicy`, deterministically for a seed.
///
/// A query's samples depend only on the support set, the policy, the seed and the query
/// (vector, excluded id, key), never on other queries, so queries may be selected in any order
/// or in parallel.
public struct DemoSelector: Sendable {
    /// The examples demonstrations come from.
    public let support: SupportSet
    /// How they are chosen.
    public let policy: SelectionPolicy
    /// The seed of every random draw.
    public let seed: UInt64
    /// Support examples more similar than this to the query are not candidates (`max_similarity`).
    public var maxSimilarity: Double?
    /// BM25 over the support set, in support order: what the bm25 policy ranks by.
    public var lexical: BM25Okapi?

    /// A selector; throws when the policy's options are out of range or the support set is empty.
    public init(support: SupportSet, policy: SelectionPolicy, seed: UInt64) throws(DemoError) {
        try policy.validate()
        guard support.count > 0 else { throw .noCandidates }
        self.support = support
        self.policy = policy
        self.seed = seed
    }

    /// The query's samples: each a list of demonstrations in label order (LM-BFF concatenates
    /// demonstrations by label whatever order they were drawn in); in-context policies keep
    /// their draw (or similarity) order. Deterministic policies give one sample.
    public func select(_ query: DemoQuery) throws(DemoError) -> [[Demonstration]] {
        let scored = try score(query)
        switch policy {
        case let .lmbff(rate, samples):
            let kept = try filter(scored, rate: rate)
            return sampleOnePerLabel(scored, from: kept, samples: samples, key: query.key)
        case let .random(samples):
            return sampleOnePerLabel(scored, from: scored.candidates, samples: samples, key: query.key)
        case let .nearest(perLabel):
            return [nearest(scored, perLabel: perLabel)]
        case let .mmr(perLabel, lambda):
            return [mmr(scored, perLabel: perLabel, lambda: Float(lambda))]
        case let .inContext(count, .random(samples, rate)):
            let pool = try rate.map { (rate) throws(DemoError) in try filter(scored, rate: rate) } ?? scored.candidates
            var generator = SeededGenerator(seed: seed, key: query.key)
            return (0..<samples).map { _ in
                generator.permutation(pool.count).prefix(count).map { scored.demonstration(pool[$0]) }
            }
        case let .inContext(count, .nearest):
            return [Array(scored.candidates.sorted(by: scored.moreSimilarThenLowerID).prefix(count).map(scored.demonstration))]
        case let .topkDPP(options):
            return [try topkDPP(scored, options)]
        case let .balanced(count):
            return [balanced(scored, count: count)]
        case let .bm25(k, perClass, weight):
            return [try bm25(scored, words: query.words, k: k, perClass: perClass, hybridWeight: weight)]
        }
    }

    /// LM-BFF's `demo_filter` candidates for `query`, in its rank order: candidates sorted by
    /// cosine similarity, highest first, ties in support order, keeping per label group the
    /// first `int(candidates // groups * rate)`.
    public func filteredCandidates(_ query: DemoQuery, filterRate rate: Double) throws(DemoError) -> [Demonstration] {
        guard rate > 0 && rate <= 1 else {
            throw .invalidOption(option: "filter rate", value: "\(rate)", expected: "in (0, 1] (LM-BFF's demo_filter_rate, default 0.5)")
        }
        let scored = try score(query)
        return try filter(scored, rate: rate).map(scored.demonstration)
    }

    /// Similarities of the query to every support example, and the candidate positions.
    private func score(_ query: DemoQuery) throws(DemoError) -> Scored {
        guard query.vector.count == support.dimension else {
            throw .dimensionMismatch(what: "the query vector", expected: support.dimension, found: query.vector.count)
        }
        var unit = query.vector
        Vectors.normalize(&unit)
        let similarities = support.similarities(toUnit: unit)
        let excluded = query.excludedID.flatMap { support.positionOfID[$0] }
        var candidates = (0..<support.count).filter { $0 != excluded }
        guard !candidates.isEmpty else { throw .noCandidates }
        if let maxSimilarity {
            candidates.removeAll { Double(similarities[$0]) > maxSimilarity }
            guard !candidates.isEmpty else {
                throw .invalidParameter(.maxSimilarity, value: "\(maxSimilarity)", reason: "leaves no candidate for a query: every support example is more similar to it than that")
            }
        }
        return Scored(support: support, similarities: similarities, candidates: candidates)
    }

    /// The filter: rank (stable), then keep each group's first `limit`.
    private func filter(_ scored: Scored, rate: Double) throws(DemoError) -> [Int] {
        let groups = support.grouping.groupCount
        let limit = Int(Double(scored.candidates.count / groups) * rate)
        guard limit > 0 else { throw .filterKeepsNothing(rate: rate, candidates: scored.candidates.count, labels: groups) }
        var counts = [Int](repeating: 0, count: groups)
        var kept: [Int] = []
        for position in scored.rankedMoreSimilarThenEarlier(scored.candidates) {
            let group = support.groups[position]
            if counts[group] < limit {
                counts[group] += 1
                kept.append(position)
            }
        }
        return kept
    }

    /// LM-BFF's `select_context`: walk a random permutation of `pool`, taking an example while
    /// its group has none yet, until every group has one; then order by group.
    private func sampleOnePerLabel(_ scored: Scored, from pool: [Int], samples: Int, key: UInt64) -> [[Demonstration]] {
        var generator = SeededGenerator(seed: seed, key: key)
        return (0..<samples).map { _ in onePerLabel(scored, from: pool, order: generator.permutation(pool.count)) }
    }

    /// The walk of `select_context`: through `order` (indices into `pool`), taking an example
    /// while its group has none, until every group has one; in group order.
    private func onePerLabel(_ scored: Scored, from pool: [Int], order: [Int]) -> [Demonstration] {
        let groups = support.grouping.groupCount
        var chosen = [Int?](repeating: nil, count: groups)
        var filled = 0
        for index in order {
            let position = pool[index]
            let group = support.groups[position]
            if chosen[group] == nil {
                chosen[group] = position
                filled += 1
                if filled == groups { break }
            }
        }
        return chosen.compactMap { $0 }.map(scored.demonstration)
    }

    /// One query's candidates for LM-BFF's draws (`select_context`'s `context_examples`): the
    /// filtered ones in rank order (lmbff), or all in support order (random, in-context).
    public struct DrawPool: Sendable {
        let scored: Scored
        let positions: [Int]
    }

    /// The query's pool for `draw(from:random:)`; policies LM-BFF has no draws for are an error.
    public func drawPool(_ query: DemoQuery) throws(DemoError) -> DrawPool {
        let scored = try score(query)
        switch policy {
        case let .lmbff(rate, _): return DrawPool(scored: scored, positions: try filter(scored, rate: rate))
        case .random: return DrawPool(scored: scored, positions: scored.candidates)
        case let .inContext(_, .random(_, rate)):
            return DrawPool(scored: scored, positions: try rate.map { (rate) throws(DemoError) in try filter(scored, rate: rate) } ?? scored.candidates)
        default:
            throw .invalidOption(option: "sampling", value: "lmbff", expected: "used with policies lmbff, random or in-context (random order): LM-BFF has no \(policy.name)")
        }
    }

    /// How many samples each query gets.
    public var sampleCount: Int {
        switch policy {
        case .lmbff(_, let samples), .random(let samples), .inContext(_, .random(let samples, _)): samples
        default: 1
        }
    }

    /// One sample drawn as LM-BFF's `select_context` draws it from `random`, numpy's global
    /// stream: one `permutation(len(pool))`, then one demonstration per label in label order
    /// (or, in-context, the permutation's first `count`).
    public func draw(from pool: DrawPool, random: inout NumPyRandom) -> [Demonstration] {
        let order = random.permutation(pool.positions.count)
        if case let .inContext(count, _) = policy {
            return order.prefix(count).map { pool.scored.demonstration(pool.positions[$0]) }
        }
        return onePerLabel(pool.scored, from: pool.positions, order: order)
    }
}
