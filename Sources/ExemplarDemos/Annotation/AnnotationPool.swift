import ExemplarKernels

/// The unlabelled examples an annotation budget is spent on: their unit vectors, in pool order.
///
/// Similarities are cosines of `Vectors.normalize`d rows (sklearn's `cosine_similarity` on the
/// same float32 vectors, up to rounding), computed a block of rows at a time with sgemm.
public struct AnnotationPool: Sendable {
    /// The number of examples.
    public let count: Int
    /// The vector length.
    public let dimension: Int
    /// Unit vectors, row-major `[count, dimension]`.
    let units: [Float]

    /// A pool from row-major `vectors` (`count × dimension`).
    public init(vectors: [Float], dimension: Int) throws(DemoError) {
        guard dimension > 0 else { throw .invalidOption(option: "dimension", value: "\(dimension)", expected: "at least 1") }
        guard vectors.count % dimension == 0 else {
            throw .countMismatch(what: "vector values (\(dimension) per example)", expected: (vectors.count / dimension + 1) * dimension, found: vectors.count)
        }
        var units = vectors
        Vectors.normalizeRows(&units, width: dimension)
        self.units = units
        self.dimension = dimension
        self.count = vectors.count / dimension
    }

    /// The cosine of every example to each of `rows`, row-major `[rows.count, count]`.
    func similarities(rows: Range<Int>) -> [Float] {
        var out = [Float](repeating: 0, count: rows.count * count)
        guard !rows.isEmpty, count > 0 else { return out }
        units.withUnsafeBufferPointer { u in
            out.withUnsafeMutableBufferPointer { o in
                BLAS.gemmABt(m: rows.count, n: count, k: dimension, u.baseAddress! + rows.lowerBound * dimension, lda: dimension,
                             u.baseAddress!, ldb: dimension, o.baseAddress!, ldc: count)
            }
        }
        return out
    }

    /// Unit vector `i`.
    func unit(_ i: Int) -> ArraySlice<Float> { units[(i * dimension)..<((i + 1) * dimension)] }
}

extension AnnotationPool {
    /// Every unit vector's dot product with each of `rows` vectors (row-major `rows × dimension`): `[count, rows]`.
    func products(with vectors: [Float], rows: Int) -> [Float] {
        precondition(vectors.count == rows * dimension)
        var out = [Float](repeating: 0, count: count * rows)
        guard count > 0, rows > 0 else { return out }
        units.withUnsafeBufferPointer { u in
            vectors.withUnsafeBufferPointer { v in
                out.withUnsafeMutableBufferPointer { o in
                    BLAS.gemmABt(m: count, n: rows, k: dimension, u.baseAddress!, lda: dimension, v.baseAddress!, ldb: dimension,
                                 o.baseAddress!, ldc: rows)
                }
            }
        }
        return out
    }
}
