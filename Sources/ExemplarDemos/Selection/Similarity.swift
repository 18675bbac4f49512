/// Cosine similarity as sentence-transformers' `util.pytorch_cos_sim` computes it: each vector
/// divided by `max(‖x‖, 1e-12)` in float32, then a float32 dot product.
///
/// Shape assumptions: rows are contiguous, row-major, `dimension` floats each. The dot product
/// sums in index order; BLAS (torch.mm) sums in another order, so results may differ from
/// LM-BFF's in the last bit (the fixture test counts where that matters).
enum Similarity {
    /// `vector / max(‖vector‖, 1e-12)`, the norm taken in float32 like `torch.nn.functional.normalize`.
    static func normalized(_ vector: [Float]) -> [Float] {
        vector.withUnsafeBufferPointer { v in
            let norm = max(dot(v, v).squareRoot(), 1e-12)
            return v.map { $0 / norm }
        }
    }

    /// Every `dimension`-long row of `rows`, normalised.
    static func normalizedRows(_ rows: [Float], dimension: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows.count)
        rows.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for start in stride(from: 0, to: source.count, by: dimension) {
                    let row = UnsafeBufferPointer(rebasing: source[start..<(start + dimension)])
                    let norm = max(dot(row, row).squareRoot(), 1e-12)
                    for i in 0..<dimension { target[start + i] = row[i] / norm }
                }
            }
        }
        return out
    }

    /// The dot product of `query` with each row.
    static func dotProducts(_ query: [Float], rows: [Float], dimension: Int) -> [Float] {
        precondition(query.count == dimension && rows.count % dimension == 0)
        return query.withUnsafeBufferPointer { q in
            rows.withUnsafeBufferPointer { r in
                (0..<(r.count / dimension)).map { row in
                    dot(q, UnsafeBufferPointer(rebasing: r[(row * dimension)..<((row + 1) * dimension)]))
                }
            }
        }
    }

    /// The float32 dot product of two equally long buffers, summed in index order.
    static func dot(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Float {
        var sum: Float = 0
        for i in 0..<a.count { sum += a[i] * b[i] }
        return sum
    }
}
