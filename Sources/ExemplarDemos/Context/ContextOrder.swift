/// The order of demonstrations in a context, whatever order the policy chose them in.
public enum ContextOrder: String, Sendable, Hashable, CaseIterable {
    /// By label, in label order; within a label, as chosen (LM-BFF's concatenation).
    case label
    /// Least similar first, most similar last, next to the query (KATE's best order).
    case similarLast = "similar-last"
    /// Most similar first (OpenICL's TopK order).
    case similarFirst = "similar-first"
    /// A seeded random permutation per context (its own stream: the picks do not change).
    case random

    /// `sample` in this order; `generator` is used by `random` only.
    func apply(_ sample: [Demonstration], _ generator: inout SeededGenerator) -> [Demonstration] {
        switch self {
        case .label:
            return sample.enumerated().sorted { $0.element.group != $1.element.group ? $0.element.group < $1.element.group : $0.offset < $1.offset }.map(\.element)
        case .similarFirst:
            return sample.sorted(by: Self.moreSimilarThenLowerID)
        case .similarLast:
            return sample.sorted(by: Self.moreSimilarThenLowerID).reversed()
        case .random:
            return generator.permutation(sample.count).map { sample[$0] }
        }
    }

    /// More similar first, ties by lower id.
    static func moreSimilarThenLowerID(_ a: Demonstration, _ b: Demonstration) -> Bool {
        a.similarity != b.similarity ? a.similarity > b.similarity : a.id < b.id
    }
}
