/// TopK-DPP (OpenICL's `DPPRetriever`, the learning-free dense DPP of CEIL, Ye et al. 2023):
/// the `candidates` most similar support examples by cosine, then `k` of them chosen on a DPP
/// kernel that trades relevance against diversity, returned most relevant first.
///
/// The kernel is OpenICL's `get_kernel` (`DPPKernel`); `.map` is its greedy MAP inference
/// (`fast_map_dpp`, deterministic), `.sample` the exact k-DPP draw its first version made
/// with dppy (`FiniteDPP('likelihood', L=…).sample_exact_k_dpp(k, random_state=seed)`).
/// With `perClass`, each label group gets its own `candidates` and `k`, groups in label order.
public struct TopKDPP: Sendable, Hashable {
    /// How the `k` demonstrations are chosen from the kernel.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// Greedy MAP inference (`fast_map_dpp`): deterministic.
        case map
        /// An exact k-DPP sample (dppy's spectral sampler), seeded as numpy's `RandomState(seed)`.
        case sample
    }

    /// Demonstrations per context (OpenICL's `ice_num`); per label with `perClass`.
    public var k: Int
    /// Candidates taken by cosine before the DPP stage (OpenICL's `candidate_num`); at least `k`.
    public var candidates: Int
    /// OpenICL's `scale_factor`: relevance enters the kernel as `exp(rel / (2 · scale_factor))`,
    /// so a smaller value weighs relevance more (default 0.1).
    public var scaleFactor: Double
    public var mode: Mode
    public var perClass: Bool

    public init(k: Int = 4, candidates: Int = 100, scaleFactor: Double = 0.1, mode: Mode = .map, perClass: Bool = false) {
        self.k = k
        self.candidates = candidates
        self.scaleFactor = scaleFactor
        self.mode = mode
        self.perClass = perClass
    }

    /// Throws naming the option: `k` at least 1, `candidate_num` at least `k`, `scale_factor` positive.
    public func validate() throws(DemoError) {
        guard k >= 1 else { throw .invalidOption(option: "k", value: "\(k)", expected: "at least 1") }
        guard candidates >= k else {
            throw .invalidOption(option: "candidate_num", value: "\(candidates)",
                                 expected: "at least k (\(k)): the DPP chooses k demonstrations among candidate_num candidates")
        }
        guard scaleFactor > 0, scaleFactor.isFinite else {
            throw .invalidOption(option: "scale_factor", value: "\(scaleFactor)", expected: "a positive number (OpenICL's default 0.1)")
        }
    }
}
