internal import COpenBLAS

/// The package's one door to OpenBLAS: the `cblas_sgemm` forms the encoder and the index use,
/// and the one place the OpenBLAS thread count is set. No other Swift code imports COpenBLAS.
///
/// Matrices are float32, row-major; a leading dimension (`lda`, `ldb`, `ldc`) is the distance
/// in floats between the starts of two rows, so a matrix can be a strided view into a wider one.
package enum BLAS {
    /// `c[m, n] = alpha · a[m, k] · b[n, k]ᵀ + beta · c[m, n]`.
    package static func gemmABt(m: Int, n: Int, k: Int, alpha: Float = 1,
                                _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                                beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// `c[m, n] = alpha · a[m, k] · b[k, n] + beta · c[m, n]`.
    package static func gemmAB(m: Int, n: Int, k: Int, alpha: Float = 1,
                               _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                               beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// A PyTorch `Linear` layer: `output[rows, out] = input[rows, in] · weight[out, in]ᵀ + bias[out]`,
    /// all contiguous (the bias is copied into each output row, then sgemm adds to it).
    package static func linear(_ input: UnsafePointer<Float>, rows: Int, weight: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>, outFeatures: Int, inFeatures: Int,
                               into output: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            (output + r * outFeatures).update(from: bias, count: outFeatures)
        }
        gemmABt(m: rows, n: outFeatures, k: inFeatures, input, lda: inFeatures, weight, ldb: inFeatures,
                beta: 1, output, ldc: outFeatures)
    }

    /// Sets how many threads OpenBLAS uses inside one call (at least 1).
    ///
    /// This is process-wide C state, not per caller: one value for every thread of the process,
    /// read when a BLAS call starts. Only the two entry points that run BLAS-heavy work set it,
    /// each just before its calls: `SentenceEncoder.encode` (the threads its batch workers leave
    /// over, usually 1) and `ExactIndex.searchBatch` (its `threads`). The server's
    /// `EmbeddingWorker` is the only encoder there and its searches never use sgemm, so the
    /// setting is the worker's. Two such entry points running at once in one process would
    /// overwrite each other's setting; nothing else may call this.
    package static func setThreads(_ n: Int) {
        openblas_set_num_threads(Int32(max(1, n)))
    }
}
