import Dispatch
import Synchronization
import ExemplarKernels

extension ExactIndex {
    /// Rows scored per `sgemm` call: bounds the score buffer at `queryBlock × rowBlock` floats.
    static let rowBlock = 8192
    static let queryBlock = 256

    /// Top-k for many queries at once (`queries.count` vectors of `dimension` floats), scored
    /// with `sgemm` a block at a time: far faster per query than `search` when there are many.
    /// With `perClass`, each query gets `k` hits per label in label order; otherwise one list
    /// (label "" in the result). Results equal `search`/`searchPerClass` up to float rounding
    /// of scores (the same ranking except for near-ties).
    public func searchBatch(_ queries: [[Float]], k: Int, perClass: Bool, filter: SearchFilter = SearchFilter(),
                            threads: Int = 2, method: Method = .default) -> [[(label: String, hits: [Hit])]] {
        let m = queries.count
        guard m > 0 else { return [] }
        if case .automatic = method, approximate != nil {
            // Through the faiss partitions, one query at a time (faiss parallelises inside each).
            return queries.map { q in
                perClass ? searchPerClass(q, k: k, filter: filter, threads: threads, method: method)
                    : [("", search(q, k: k, filter: filter, threads: threads, method: method))]
            }
        }
        let dim = dimension
        var flat: [Float] = []
        flat.reserveCapacity(m * dim)
        for query in queries {
            precondition(query.count == dim, "query has \(query.count) values, index has \(dim)")
            flat += query
        }
        Vectors.normalizeRows(&flat, width: dim)
        let selected = groups.filter { filter.label == nil || filter.label == $0.label }
        // tops[q][g]: query q's best hits in selected group g.
        var tops = [[TopK]](repeating: selected.map { _ in TopK(k: k) }, count: m)
        let excluding = effective(filter).excluding
        BLAS.setThreads(threads)
        var scores = [Float](repeating: 0, count: Self.queryBlock * Self.rowBlock)
        for (g, group) in selected.enumerated() {
            for segment in segments(group, filter) {
                let n = segment.count
                for q0 in stride(from: 0, to: m, by: Self.queryBlock) {
                    let qm = min(Self.queryBlock, m - q0)
                    for r0 in stride(from: 0, to: n, by: Self.rowBlock) {
                        let rn = min(Self.rowBlock, n - r0)
                        flat.withUnsafeBufferPointer { qp in
                            scores.withUnsafeMutableBufferPointer { sp in
                                // scores[q, r] = query q · row r, for the block's qm queries and rn rows.
                                BLAS.gemmABt(m: qm, n: rn, k: dim, qp.baseAddress! + q0 * dim, lda: dim,
                                             segment.vectors + r0 * dim, ldb: dim, sp.baseAddress!, ldc: rn)
                            }
                        }
                        // Select from the score block, queries split across workers.
                        let workers = max(1, min(threads, qm))
                        let chunk = (qm + workers - 1) / workers
                        let results = Mutex([(Int, TopK)]())
                        let block = scores, blockTops = tops
                        DispatchQueue.concurrentPerform(iterations: workers) { w in
                            var local: [(Int, TopK)] = []
                            block.withUnsafeBufferPointer { sp in
                                for q in (w * chunk)..<min(qm, (w + 1) * chunk) {
                                    var top = blockTops[q0 + q][g]
                                    let row = sp.baseAddress! + q * rn
                                    for r in 0..<rn {
                                        let score = row[r] / max(segment.norms[r0 + r], 1e-12)
                                        guard top.admits(score) else { continue }
                                        let id = segment.ids[r0 + r]
                                        if excluding.isEmpty || !excluding.contains(id) { top.insert(score: score, id: id) }
                                    }
                                    local.append((q0 + q, top))
                                }
                            }
                            results.withLock { $0 += local }
                        }
                        for (q, top) in results.withLock({ $0 }) { tops[q][g] = top }
                    }
                }
            }
        }
        return tops.map { perGroup in
            if perClass {
                return zip(selected, perGroup).map { ($0.label, $1.items.map { Hit(id: $0.id, score: $0.score) }) }
            }
            var all = TopK(k: k)
            for t in perGroup { all.merge(t) }
            return [("", all.items.map { Hit(id: $0.id, score: $0.score) })]
        }
    }
}
