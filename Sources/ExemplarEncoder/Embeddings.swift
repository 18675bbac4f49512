import ExemplarKernels

/// A matrix of sentence embeddings: `count` rows of `dimension` float32 values, row-major.
public struct Embeddings: Sendable, Equatable {
    public let count: Int
    public let dimension: Int
    public var values: [Float]

    public init(count: Int, dimension: Int, values: [Float]) {
        precondition(values.count == count * dimension, "values must hold count × dimension floats")
        self.count = count
        self.dimension = dimension
        self.values = values
    }

    /// Row `i`.
    public subscript(i: Int) -> ArraySlice<Float> {
        values[(i * dimension)..<((i + 1) * dimension)]
    }

    /// Cosine similarity of rows `i` and `j` as sentence-transformers' `util.cos_sim` computes
    /// it: both rows normalised by `Vectors.normalize` (`x / max(‖x‖, 1e-12)`), then their dot
    /// product in index order. A zero row has similarity 0 to everything.
    public func cosine(_ i: Int, _ j: Int) -> Float {
        var x = Array(self[i]), y = Array(self[j])
        Vectors.normalize(&x)
        Vectors.normalize(&y)
        return Vectors.dotInIndexOrder(x, y, dimension)
    }
}
