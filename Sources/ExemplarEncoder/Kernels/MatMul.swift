import COpenBLAS

/// Dense kernels on row-major float32 matrices, over OpenBLAS.
///
/// Shapes: activations are `[rows, features]`, contiguous; weights are PyTorch `Linear`
/// layouts `[out, in]`, so `y = x Wᵀ + b`.
enum MatMul {
    /// `output[rows, out] = input[rows, in] · weight[out, in]ᵀ + bias[out]`.
    static func linear(_ input: UnsafePointer<Float>, rows: Int, weight: FloatTensor, bias: FloatTensor,
                       into output: UnsafeMutablePointer<Float>) {
        let out = weight.shape[0], inFeatures = weight.shape[1]
        for r in 0..<rows {
            (output + r * out).update(from: bias.pointer, count: out)
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                    Int32(rows), Int32(out), Int32(inFeatures),
                    1, input, Int32(inFeatures), weight.pointer, Int32(inFeatures),
                    1, output, Int32(out))
    }

    /// `c[m, n] = alpha · a[m, k] · b[n, k]ᵀ` with leading dimensions (row strides) given.
    static func abT(_ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                    _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int, alpha: Float) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), 0, c, Int32(ldc))
    }

    /// `c[m, n] = a[m, k] · b[k, n]` with leading dimensions (row strides) given.
    static func ab(_ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                   _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(lda), b, Int32(ldb), 0, c, Int32(ldc))
    }

    /// Sets the number of threads OpenBLAS uses inside one call (process-wide C state).
    static func setBLASThreads(_ n: Int) {
        openblas_set_num_threads(Int32(max(1, n)))
    }
}
