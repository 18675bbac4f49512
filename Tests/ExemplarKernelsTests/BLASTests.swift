import ExemplarKernels
import Testing

/// The sgemm wrappers against plain double-precision loops, including strided views. (The
/// thread count is process-wide and other suites run alongside, so these tests leave it alone.)
@Suite struct BLASTests {
    func randomValues(_ n: Int) -> [Float] {
        (0..<n).map { _ in Float.random(in: -2...2) }
    }

    @Test func linear() {
        let rows = 5, inF = 7, outF = 3
        let x = randomValues(rows * inF), w = randomValues(outF * inF), b = randomValues(outF)
        var y = [Float](repeating: 0, count: rows * outF)
        BLAS.linear(x, rows: rows, weight: w, bias: b, outFeatures: outF, inFeatures: inF, into: &y)
        for r in 0..<rows {
            for o in 0..<outF {
                var ref = Double(b[o])
                for i in 0..<inF { ref += Double(x[r * inF + i]) * Double(w[o * inF + i]) }
                #expect(abs(Double(y[r * outF + o]) - ref) < 1e-4)
            }
        }
    }

    /// Two layers writing side by side into one wider output (outputStride), as Q, K and V
    /// do: each column block is its own layer's output, nothing else is touched.
    @Test func linearSideBySide() {
        let rows = 4, inF = 6, outF = 3, stride = 2 * outF + 1
        let x = randomValues(rows * inF)
        let layers = [(randomValues(outF * inF), randomValues(outF)), (randomValues(outF * inF), randomValues(outF))]
        var y = [Float](repeating: 99, count: rows * stride)
        y.withUnsafeMutableBufferPointer { yb in
            for (i, (w, b)) in layers.enumerated() {
                BLAS.linear(x, rows: rows, weight: w, bias: b, outFeatures: outF, inFeatures: inF,
                            into: yb.baseAddress! + i * outF, outputStride: stride)
            }
        }
        for r in 0..<rows {
            for (i, (w, b)) in layers.enumerated() {
                for o in 0..<outF {
                    var ref = Double(b[o])
                    for k in 0..<inF { ref += Double(x[r * inF + k]) * Double(w[o * inF + k]) }
                    #expect(abs(Double(y[r * stride + i * outF + o]) - ref) < 1e-4)
                }
            }
            #expect(y[r * stride + 2 * outF] == 99)
        }
    }

    /// `c = alpha · a · bᵀ + beta · c` on views into wider matrices (leading dimensions larger
    /// than the widths), as attention uses slices of the packed QKV matrix; the padding of `c`
    /// must stay untouched.
    @Test func gemmABtStrided() {
        let m = 6, n = 5, k = 9, lda = 13, ldb = 11, ldc = 8
        let alpha: Float = 0.5, beta: Float = 2
        let a = randomValues(m * lda), b = randomValues(n * ldb), c0 = randomValues(m * ldc)
        var c = c0
        BLAS.gemmABt(m: m, n: n, k: k, alpha: alpha, a, lda: lda, b, ldb: ldb, beta: beta, &c, ldc: ldc)
        for i in 0..<m {
            for j in 0..<ldc {
                guard j < n else {
                    #expect(c[i * ldc + j] == c0[i * ldc + j], "padding changed at \(i), \(j)")
                    continue
                }
                var ref = 0.0
                for p in 0..<k { ref += Double(a[i * lda + p]) * Double(b[j * ldb + p]) }
                ref = Double(alpha) * ref + Double(beta) * Double(c0[i * ldc + j])
                #expect(abs(Double(c[i * ldc + j]) - ref) < 1e-4)
            }
        }
    }

    @Test func gemmABStrided() {
        let m = 4, n = 3, k = 10, lda = 12, ldb = 7, ldc = 5
        let a = randomValues(m * lda), b = randomValues(k * ldb)
        var c = [Float](repeating: 42, count: m * ldc)
        BLAS.gemmAB(m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, &c, ldc: ldc)
        for i in 0..<m {
            for j in 0..<ldc {
                guard j < n else {
                    #expect(c[i * ldc + j] == 42)
                    continue
                }
                var ref = 0.0
                for p in 0..<k { ref += Double(a[i * lda + p]) * Double(b[p * ldb + j]) }
                #expect(abs(Double(c[i * ldc + j]) - ref) < 1e-4)
            }
        }
    }

    /// The index's batch scoring shape: every query against every row (beta 0 ignores `c`).
    @Test func scoreMatrix() {
        let m = 3, n = 40, dim = 17
        let q = randomValues(m * dim), rows = randomValues(n * dim)
        var scores = [Float](repeating: .nan, count: m * n)
        BLAS.gemmABt(m: m, n: n, k: dim, q, lda: dim, rows, ldb: dim, &scores, ldc: n)
        for i in 0..<m {
            for r in 0..<n {
                let ref = (0..<dim).reduce(0.0) { $0 + Double(q[i * dim + $1]) * Double(rows[r * dim + $1]) }
                #expect(abs(Double(scores[i * n + r]) - ref) < 1e-4)
            }
        }
    }

    /// Only a Prescott fallback on a newer CPU is corrected, to the newest family it runs.
    @Test func openBLASCoreCorrection() {
        #expect(OpenBLASCore.correction(detected: "Prescott", avx512: true, avx2: true) == "SkylakeX")
        #expect(OpenBLASCore.correction(detected: "Prescott", avx512: false, avx2: true) == "Haswell")
        #expect(OpenBLASCore.correction(detected: "Prescott", avx512: false, avx2: false) == nil)
        #expect(OpenBLASCore.correction(detected: "SkylakeX", avx512: true, avx2: true) == nil)
        #expect(OpenBLASCore.correction(detected: "Zen", avx512: false, avx2: true) == nil)
        #expect(!BLAS.coreName.isEmpty)
    }
}
