import ExemplarKernels
import Foundation

/// OpenICL's `DPPRetriever.get_kernel`, in its float32 arithmetic: relevance
/// `r = exp(((cos(q, c) + 1) / 2 − max) / (2 · scale_factor))` (the max subtracted "to prevent
/// overflow"), similarity `S = (cos(c_i, c_j) + 1) / 2`, kernel `L_ij = (r_j · S_ij) · r_i`.
///
/// Shape assumptions: `units` holds the candidates' unit vectors row-major (`count × dimension`),
/// `cosines` their cosine to the query, in the same order.
struct DPPKernel {
    /// The candidates' relevance `r` (what results are ordered by, most relevant first).
    let relevance: [Float]
    /// `L`, row-major `count × count`.
    let matrix: [Float]
    let count: Int

    init(cosines: [Float], units: [Float], dimension: Int, scaleFactor: Double) {
        let n = cosines.count
        precondition(units.count == n * dimension)
        var relevance = cosines.map { ($0 + 1) / 2 }
        let top = relevance.max() ?? 0
        let divisor = Float(2 * scaleFactor)
        for i in 0..<n { relevance[i] = expf((relevance[i] - top) / divisor) }
        // The candidates' Gram matrix with sgemm (numpy's matmul is sgemm too), then (S + 1) / 2 and r_i, r_j.
        var matrix = [Float](repeating: 0, count: n * n)
        if n > 0 {
            units.withUnsafeBufferPointer { u in
                matrix.withUnsafeMutableBufferPointer { m in
                    BLAS.gemmABt(m: n, n: n, k: dimension, u.baseAddress!, lda: dimension, u.baseAddress!, ldb: dimension,
                                 m.baseAddress!, ldc: n)
                }
            }
        }
        for i in 0..<n {
            for j in 0..<n { matrix[i * n + j] = relevance[j] * ((matrix[i * n + j] + 1) / 2) * relevance[i] }
        }
        self.relevance = relevance
        self.matrix = matrix
        self.count = n
    }
}
