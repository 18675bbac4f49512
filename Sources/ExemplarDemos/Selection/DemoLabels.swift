import ExemplarData

/// How support labels map to the groups demonstrations are drawn from, in label-map order.
///
/// Classification tasks use their label list; regression tasks (STS-B) split scores at the
/// median into two groups, `"0"` (score ≤ median) and `"1"`, as LM-BFF's `median_mapping` does.
public enum DemoLabels: Sendable, Hashable {
    /// One group per label, in this order.
    case classes([String])
    /// Two groups: scores ≤ `median` are group 0, the rest group 1.
    case regression(median: Double)

    /// The grouping LM-BFF uses for `task` (STS-B: median 2.5).
    public init(task: LMBFFTask) {
        if let labels = task.labels {
            self = .classes(labels)
        } else {
            self = .regression(median: 2.5)
        }
    }

    /// The number of groups (labels, or 2 for regression).
    public var groupCount: Int {
        switch self {
        case .classes(let labels): labels.count
        case .regression: 2
        }
    }

    /// The group names in order: the labels, or `["0", "1"]` for regression (LM-BFF's label-word keys).
    public var groupNames: [String] {
        switch self {
        case .classes(let labels): labels
        case .regression: ["0", "1"]
        }
    }

    /// The group of a support label.
    public func group(of label: String) throws(DemoError) -> Int {
        switch self {
        case .classes(let labels):
            guard let index = labels.firstIndex(of: label) else { throw .unknownLabel(label: label, known: labels) }
            return index
        case .regression(let median):
            guard let score = Double(label), score.isFinite else { throw .notANumber(label: label) }
            return score <= median ? 0 : 1
        }
    }
}
