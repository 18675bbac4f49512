import ExemplarData

/// Selective annotation: which `budget` examples of an unlabelled pool to label, so that
/// in-context demonstrations drawn from them serve the task (Su et al. 2022's setting).
public enum AnnotationMethod: Sendable, Hashable {
    /// OpenICL's `votek_select` (`VoteK`): `k` nearest-neighbour votes, the overlap threshold,
    /// a random fill (Python's `random.seed(seed)`; `random.sample`). OpenICL's defaults: k 3, threshold 1.
    case voteK(k: Int = 3, overlapThreshold: Double = 1)
    /// `budget` examples uniformly at random: OpenICL's `RandomRetriever` draw,
    /// `np.random.seed(seed); np.random.choice(n, budget, replace=False)`.
    case random
    /// The medoids of `budget` k-means clusters (`KMeansMedoids`).
    case kMeans(iterations: Int = 100)

    /// The method's name as the CLI spells it.
    public var name: String {
        switch self {
        case .voteK: "votek"
        case .random: "random"
        case .kMeans: "kmeans"
        }
    }
}

extension AnnotationPool {
    /// The positions of the `budget` examples to label, in selection order; deterministic for `seed`.
    /// Throws naming the option: a budget outside 1...count, a vote k below 1, a threshold outside (0, 1].
    public func select(budget: Int, method: AnnotationMethod, seed: UInt32) throws(DemoError) -> [Int] {
        guard budget >= 1, budget <= count else {
            throw .invalidOption(option: "budget", value: "\(budget)",
                                 expected: "between 1 and the pool's size (\(count) examples)")
        }
        switch method {
        case let .voteK(k, threshold):
            guard k >= 1 else { throw .invalidOption(option: "votek-k", value: "\(k)", expected: "at least 1") }
            guard threshold > 0, threshold <= 1 else {
                throw .invalidOption(option: "overlap-threshold", value: "\(threshold)", expected: "in (0, 1] (OpenICL's default 1)")
            }
            return VoteK.select(self, budget: budget, k: k, overlapThreshold: threshold, seed: seed)
        case .random:
            var random = NumPyRandom(seed: seed)
            return Array(random.permutation(count).prefix(budget))
        case let .kMeans(iterations):
            guard iterations >= 1 else { throw .invalidOption(option: "iterations", value: "\(iterations)", expected: "at least 1") }
            return KMeansMedoids.select(self, budget: budget, seed: seed, iterations: iterations)
        }
    }
}
