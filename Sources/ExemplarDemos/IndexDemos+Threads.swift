import ExemplarKernels

extension IndexDemos {
    /// Call once before running `select` on several threads at once (the CLI's demos and
    /// evaluate-demos workers): OpenBLAS then runs every BLAS and LAPACK call of a selection (a
    /// topk-dpp kernel's sgemm, its `dsyevr`) on the calling thread. Its own threads inside many
    /// small concurrent calls only contend: measured on full-data SST-2 topk-dpp sample, most of
    /// the time went to OpenBLAS's thread hand-off (`sched_yield`) before this.
    /// Process-wide, like every OpenBLAS thread setting (`BLAS.setThreads`).
    public static func prepareConcurrentSelection() {
        BLAS.setThreads(1)
    }
}
