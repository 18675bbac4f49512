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

    /// Cosine similarity of rows `i` and `j`.
    public func cosine(_ i: Int, _ j: Int) -> Float {
        var dot: Float = 0, a: Float = 0, b: Float = 0
        let x = self[i], y = self[j]
        for (u, v) in zip(x, y) {
            dot += u * v
            a += u * u
            b += v * v
        }
        return dot / Swift.max((a * b).squareRoot(), .leastNormalMagnitude)
    }
}
