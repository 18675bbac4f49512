import COpenBLAS

/// Scores of many queries against a block of rows in one `cblas_sgemm`.
///
/// Shapes: `queries` is `m × dimension`, `rows` is `n × dimension`, both row-major and
/// contiguous; `scores` receives `m × n` (row q holds query q's dot product with every row).
enum ScoreMatrix {
    static func compute(queries: UnsafePointer<Float>, m: Int, rows: UnsafePointer<Float>, n: Int,
                        dimension: Int, into scores: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(dimension),
                    1, queries, Int32(dimension), rows, Int32(dimension), 0, scores, Int32(n))
    }

    /// Threads OpenBLAS uses inside one call (process-wide C state, safe to set from any thread).
    static func setThreads(_ n: Int) {
        openblas_set_num_threads(Int32(max(1, n)))
    }
}
