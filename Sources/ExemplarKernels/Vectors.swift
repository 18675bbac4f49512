/// Kernels on float32 vectors and on the rows of contiguous row-major matrices.
package enum Vectors {
    /// The dot product of `a[0..<n]` and `b[0..<n]`, fast: SIMD8 with four accumulators over
    /// multiples of 32, the partial sums added pairwise, then the scalar tail. The summation
    /// order is therefore not index order; use `dotInIndexOrder` where the bits must match a
    /// plain loop. Memory-bound on large matrices, so scans split rows across threads.
    @inlinable
    package static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 32 <= n {
            s0 += ra.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            s1 += ra.loadUnaligned(fromByteOffset: 4 * (i + 8), as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * (i + 8), as: SIMD8<Float>.self)
            s2 += ra.loadUnaligned(fromByteOffset: 4 * (i + 16), as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * (i + 16), as: SIMD8<Float>.self)
            s3 += ra.loadUnaligned(fromByteOffset: 4 * (i + 24), as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * (i + 24), as: SIMD8<Float>.self)
            i += 32
        }
        var sum = ((s0 + s1) + (s2 + s3)).sum()
        while i < n {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// The dot product of `a[0..<n]` and `b[0..<n]` in float32, summed strictly in index order
    /// (`((a0·b0 + a1·b1) + a2·b2) + …`), so its bits are those of a plain loop. Slower than `dot`.
    @inlinable
    package static func dotInIndexOrder(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var sum: Float = 0
        for i in 0..<n { sum += a[i] * b[i] }
        return sum
    }

    /// `out[r] = dotInIndexOrder(query, rows + r·n, n)` for `r` in `0..<count`, bit for bit,
    /// eight rows at a time: eight independent index-order sums run side by side (the same
    /// float32 multiply and add per element as the plain loop), so the adds do not wait on one
    /// another. Shape: `rows` is contiguous row-major `[count, n]`; `out` has `count` floats.
    @inlinable
    package static func dotsInIndexOrder(_ query: UnsafePointer<Float>, rows: UnsafePointer<Float>, count: Int, _ n: Int,
                                         into out: UnsafeMutablePointer<Float>) {
        var r = 0
        while r + 8 <= count {
            let p0 = rows + r * n, p1 = p0 + n, p2 = p1 + n, p3 = p2 + n, p4 = p3 + n, p5 = p4 + n, p6 = p5 + n, p7 = p6 + n
            var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0, s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
            for i in 0..<n {
                let q = query[i]
                s0 += p0[i] * q; s1 += p1[i] * q; s2 += p2[i] * q; s3 += p3[i] * q
                s4 += p4[i] * q; s5 += p5[i] * q; s6 += p6[i] * q; s7 += p7[i] * q
            }
            out[r] = s0; out[r + 1] = s1; out[r + 2] = s2; out[r + 3] = s3
            out[r + 4] = s4; out[r + 5] = s5; out[r + 6] = s6; out[r + 7] = s7
            r += 8
        }
        while r < count {
            out[r] = dotInIndexOrder(query, rows + r * n, n)
            r += 1
        }
    }

    /// ‖v‖ as `normalize` computes it (before its 1e-12 floor): the float32 square root of the
    /// squares summed in index order. Stored norms are this, so scores divided by them are
    /// bit for bit those of normalised vectors' dot products with the same summation.
    @inlinable
    package static func norm(_ v: UnsafePointer<Float>, count: Int) -> Float {
        dotInIndexOrder(v, v, count).squareRoot()
    }

    /// The package's one L2 normalisation: `v / max(‖v‖, 1e-12)`, in place on `v[0..<count]`.
    ///
    /// This is sentence-transformers' `Normalize` module and `util.cos_sim`, i.e.
    /// `torch.nn.functional.normalize(eps=1e-12)`: a zero vector stays zero, and a vector whose
    /// norm is below 1e-12 is scaled by 1e12, not to unit length. ‖v‖ is the float32 square root
    /// of `dotInIndexOrder(v, v)` (squares summed in index order), and each value is divided by
    /// it (not multiplied by a reciprocal), so results are reproducible bit for bit; LM-BFF's
    /// candidate rankings (`LMBFFEquivalenceTests`) depend on that. The order costs nothing
    /// measurable: one pass per vector, against a forward pass or a scan of many rows.
    @inlinable
    package static func normalize(_ v: UnsafeMutablePointer<Float>, count: Int) {
        let norm = max(self.norm(v, count: count), 1e-12)
        for i in 0..<count { v[i] /= norm }
    }

    /// `normalize` on each of the `rows` rows of a contiguous `[rows, width]` matrix.
    @inlinable
    package static func normalizeRows(_ matrix: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        for r in 0..<rows { normalize(matrix + r * width, count: width) }
    }

    /// `normalize` on a whole array.
    @inlinable
    package static func normalize(_ v: inout [Float]) {
        v.withUnsafeMutableBufferPointer { b in
            if let base = b.baseAddress { normalize(base, count: b.count) }
        }
    }

    /// `normalize` on each `width`-long row of a row-major array (`v.count` a multiple of `width`).
    @inlinable
    package static func normalizeRows(_ v: inout [Float], width: Int) {
        precondition(width > 0 && v.count % width == 0, "\(v.count) values are not rows of \(width)")
        v.withUnsafeMutableBufferPointer { b in
            if let base = b.baseAddress { normalizeRows(base, rows: b.count / width, width: width) }
        }
    }
}
