import ExemplarKernels

/// The examples demonstrations are drawn from: ids, label groups and unit vectors, in support order.
///
/// Built from plain values, so it serves an Exemplar index (record ids, labels, vectors) and
/// LM-BFF's own `train_sbert-*.npy` files alike (ids `0..<n` in file order). Vectors are
/// normalised once here as `util.pytorch_cos_sim` does (`Vectors.normalize`: `x / max(‖x‖, 1e-12)` in float32).
public struct SupportSet: Sendable {
    /// Each example's id, in support order (LM-BFF's `support_idx` when built from its files).
    public let ids: [Int]
    /// Each example's label as given.
    public let labels: [String]
    /// Each example's group (index into `grouping.groupNames`).
    public let groups: [Int]
    /// How labels map to groups.
    public let grouping: DemoLabels
    /// The vector length.
    public let dimension: Int
    /// Unit vectors, row-major `[count, dimension]`.
    let unitVectors: [Float]
    /// The same, in panels for `similarities(toUnit:)` (index-order sums, 64 rows at a time).
    let unitPanels: RowPanels
    /// Support positions by id.
    let positionOfID: [Int: Int]

    /// A support set from `vectors` (row-major, `ids.count × dimension`), one id and label per row.
    public init(ids: [Int], labels: [String], grouping: DemoLabels, vectors: [Float], dimension: Int) throws(DemoError) {
        guard dimension > 0 else { throw .invalidOption(option: "dimension", value: "\(dimension)", expected: "at least 1") }
        guard labels.count == ids.count else { throw .countMismatch(what: "labels", expected: ids.count, found: labels.count) }
        guard vectors.count == ids.count * dimension else {
            throw .countMismatch(what: "vector values (\(dimension) per example)", expected: ids.count * dimension, found: vectors.count)
        }
        var positions: [Int: Int] = [:]
        positions.reserveCapacity(ids.count)
        for (position, id) in ids.enumerated() {
            guard positions.updateValue(position, forKey: id) == nil else { throw .duplicateID(id) }
        }
        var groups: [Int] = []
        groups.reserveCapacity(labels.count)
        for label in labels { groups.append(try grouping.group(of: label)) }
        self.ids = ids
        self.labels = labels
        self.groups = groups
        self.grouping = grouping
        self.dimension = dimension
        self.positionOfID = positions
        var unitVectors = vectors
        Vectors.normalizeRows(&unitVectors, width: dimension)
        self.unitVectors = unitVectors
        unitPanels = RowPanels(rows: unitVectors, width: dimension)
    }

    /// The number of support examples.
    public var count: Int { ids.count }

    /// Cosine similarity of a unit query vector to every support example, in support order.
    /// Each is `Similarity.dot` of the two unit vectors, bit for bit.
    func similarities(toUnit query: [Float]) -> [Float] {
        precondition(query.count == dimension)
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            if let base = out.baseAddress { unitPanels.dotsInIndexOrder(query, into: base) }
            initialized = count
        }
    }

    /// Cosine similarity of support examples at positions `a` and `b`.
    func similarity(_ a: Int, _ b: Int) -> Float {
        unitVectors.withUnsafeBufferPointer { rows in
            Similarity.dot(UnsafeBufferPointer(rebasing: rows[(a * dimension)..<((a + 1) * dimension)]),
                           UnsafeBufferPointer(rebasing: rows[(b * dimension)..<((b + 1) * dimension)]))
        }
    }
}
