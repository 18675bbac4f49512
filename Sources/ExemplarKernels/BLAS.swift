internal import COpenBLAS
import Foundation

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
    /// input and weight contiguous, output rows `outputStride` floats apart (default `out`, so
    /// several layers can write side by side into one wider matrix). The bias is copied into
    /// each output row, then sgemm adds to it.
    package static func linear(_ input: UnsafePointer<Float>, rows: Int, weight: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>, outFeatures: Int, inFeatures: Int,
                               into output: UnsafeMutablePointer<Float>, outputStride: Int? = nil) {
        let ldc = outputStride ?? outFeatures
        precondition(ldc >= outFeatures)
        for r in 0..<rows {
            (output + r * ldc).update(from: bias, count: outFeatures)
        }
        gemmABt(m: rows, n: outFeatures, k: inFeatures, input, lda: inFeatures, weight, ldb: inFeatures,
                beta: 1, output, ldc: ldc)
    }

    /// Sets how many threads OpenBLAS uses inside one call (at least 1).
    ///
    /// This is process-wide C state, not per caller: one value for every thread of the process,
    /// read when a BLAS call starts. Only the entry points that run BLAS-heavy work set it,
    /// each just before its calls: `SentenceEncoder.encode` (the threads its batch workers leave
    /// over, usually 1) and `IndexDemos.prepareConcurrentSelection` (1: selections on several
    /// threads at once, each DPP's small sgemm and eigendecomposition on its caller's thread).
    /// `ExactIndex.searchBatch` splits its blocks across its own workers and leaves the setting
    /// alone. The server's `EmbeddingWorker` is the only encoder there, so the setting is the
    /// worker's. Two such entry points running at once in one process would overwrite each
    /// other's setting; nothing else may call this.
    package static func setThreads(_ n: Int) {
        openblas_set_num_threads(Int32(max(1, n)))
    }

    /// The kernel family OpenBLAS chose for this CPU when it loaded (`openblas_get_corename`:
    /// "SkylakeX", "Haswell", "Zen", "Prescott", ...).
    package static var coreName: String { String(cString: openblas_get_corename()) }
}

/// OpenBLAS picks its kernels by CPU model, and Debian 12's 0.3.21 takes models newer than it
/// for a Prescott: an Emerald Rapids Xeon (family 6, model 207) with AVX-512 gets its SSE3
/// kernels (`sgemm_kernel_PRESCOTT` in a profile) for faiss's IVF training and assignment and
/// the other sgemm calls.
/// It reads `OPENBLAS_CORETYPE` once, as it loads, so only a new process image can correct it:
/// `exemplar`'s main re-executes itself once with the family the CPU can run.
public enum OpenBLASCore {
    /// The family to ask for when OpenBLAS fell back to Prescott on a CPU with AVX-512
    /// ("SkylakeX") or AVX2 ("Haswell"); nil when its choice stands.
    public static func correction(detected: String, avx512: Bool, avx2: Bool) -> String? {
        guard detected == "Prescott" else { return nil }
        return avx512 ? "SkylakeX" : avx2 ? "Haswell" : nil
    }

    /// The correction for this process (nil when none is needed, or `OPENBLAS_CORETYPE` is set:
    /// then the user's, or an earlier re-execution's, choice stands).
    public static func neededHere() -> String? {
        guard getenv("OPENBLAS_CORETYPE") == nil else { return nil }
        return correction(detected: BLAS.coreName, avx512: EncoderKernels.hasAVX512, avx2: EncoderKernels.hasAVX2)
    }
}

extension BLAS {
    /// Eigenvalues (ascending) and eigenvectors of a symmetric `n × n` float64 matrix (LAPACK's
    /// `dsyevr`, the driver `scipy.linalg.eigh` calls by default). `matrix` is row-major and
    /// symmetric (its lower triangle is read, as scipy's `lower=True` reads it); the result's
    /// `vectors` is row-major `n × n` with eigenvector `c` in column `c`. Returns nil when LAPACK
    /// does not converge.
    package static func symmetricEigen(_ matrix: [Double], n: Int) -> (values: [Double], vectors: [Double])? {
        precondition(n > 0 && matrix.count == n * n)
        // Row-major in is the transpose to LAPACK (column-major), so its "U" is our lower
        // triangle; the column-major eigenvector matrix is transposed into row-major below.
        var a = matrix
        var w = [Double](repeating: 0, count: n)
        var z = [Double](repeating: 0, count: n * n)
        var isuppz = [Int32](repeating: 0, count: 2 * n)
        var size = Int32(n), lda = Int32(n), ldz = Int32(n), info: Int32 = 0, found: Int32 = 0
        var il: Int32 = 1, iu = Int32(n)
        var vl = 0.0, vu = 0.0, abstol = 0.0
        var lwork: Int32 = -1, liwork: Int32 = -1
        var workQuery = 0.0
        var iworkQuery: Int32 = 0
        dsyevr_("V", "A", "U", &size, &a, &lda, &vl, &vu, &il, &iu, &abstol, &found, &w, &z, &ldz, &isuppz,
                &workQuery, &lwork, &iworkQuery, &liwork, &info, 1, 1, 1)
        guard info == 0 else { return nil }
        lwork = Int32(workQuery)
        liwork = iworkQuery
        var work = [Double](repeating: 0, count: max(1, Int(lwork)))
        var iwork = [Int32](repeating: 0, count: max(1, Int(liwork)))
        dsyevr_("V", "A", "U", &size, &a, &lda, &vl, &vu, &il, &iu, &abstol, &found, &w, &z, &ldz, &isuppz,
                &work, &lwork, &iwork, &liwork, &info, 1, 1, 1)
        guard info == 0, found == size else { return nil }
        var vectors = [Double](repeating: 0, count: n * n)
        for column in 0..<n {
            for row in 0..<n { vectors[row * n + column] = z[column * n + row] }
        }
        return (w, vectors)
    }
}
