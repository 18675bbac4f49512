import ExemplarKernels

/// Cosine similarity as sentence-transformers' `util.pytorch_cos_sim` computes it: each vector
/// normalised by `Vectors.normalize` (`x / max(‖x‖, 1e-12)` in float32, as
/// `torch.nn.functional.normalize`), then a float32 dot product of the unit vectors.
///
/// Shape assumptions: rows are contiguous, row-major, `dimension` floats each. The dot product
/// sums in index order; BLAS (torch.mm) sums in another order, so results may differ from
/// LM-BFF's in the last bit (the fixture test counts where that matters).
enum Similarity {
    /// The dot product of `query` with each row (each summed in index order, eight rows at a time).
    static func dotProducts(_ query: [Float], rows: [Float], dimension: Int) -> [Float] {
        precondition(query.count == dimension && rows.count % dimension == 0)
        let count = rows.count / dimension
        guard count > 0, dimension > 0 else { return [Float](repeating: 0, count: count) }
        return query.withUnsafeBufferPointer { q in
            rows.withUnsafeBufferPointer { r in
                [Float](unsafeUninitializedCapacity: count) { out, initialized in
                    Vectors.dotsInIndexOrder(q.baseAddress!, rows: r.baseAddress!, count: count, dimension, into: out.baseAddress!)
                    initialized = count
                }
            }
        }
    }

    /// The float32 dot product of two equally long buffers, summed in index order.
    static func dot(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Float {
        precondition(a.count == b.count)
        guard let pa = a.baseAddress, let pb = b.baseAddress else { return 0 }
        return Vectors.dotInIndexOrder(pa, pb, a.count)
    }
}
