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
        var matrix = [Float](repeating: 0, count: n * n)
        units.withUnsafeBufferPointer { rows in
            for i in 0..<n {
                let a = UnsafeBufferPointer(rebasing: rows[(i * dimension)..<((i + 1) * dimension)])
                for j in i..<n {
                    let b = UnsafeBufferPointer(rebasing: rows[(j * dimension)..<((j + 1) * dimension)])
                    let s = (Similarity.dot(a, b) + 1) / 2
                    matrix[i * n + j] = relevance[j] * s * relevance[i]
                    matrix[j * n + i] = relevance[i] * s * relevance[j]
                }
            }
        }
        self.relevance = relevance
        self.matrix = matrix
        self.count = n
    }
}
