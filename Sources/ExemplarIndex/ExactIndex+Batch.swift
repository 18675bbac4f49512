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
    /// of scores (the same ranking except for near-ties). Row blocks are split across `threads`
    /// workers, each calling sgemm on its own thread; OpenBLAS's process-wide thread count is
    /// not changed (the encoder's setting, 1 with packed layers, stays).
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
        let matrix = flat
        let selected = groups.filter { filter.label == nil || filter.label == $0.label }
        // tops[q][g]: query q's best hits in selected group g.
        var tops = [[TopK]](repeating: selected.map { _ in TopK(k: k) }, count: m)
        let excluding = effective(filter).excluding
        for (g, group) in selected.enumerated() {
            for segment in segments(group, filter) {
                let n = segment.count, blocks = (n + Self.rowBlock - 1) / Self.rowBlock
                let workers = max(1, min(threads, blocks))
                let found = Mutex([[TopK]]())
                // Each worker scores its own row blocks against every query on its own thread
                // (`EncoderKernels.dotRows`; OpenBLAS's thread count is left as it is), then the tops merge.
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    var mine = [TopK](repeating: TopK(k: k), count: m)
                    let scores = UnsafeMutablePointer<Float>.allocate(capacity: Self.queryBlock * Self.rowBlock)
                    let packed = UnsafeMutablePointer<Float>.allocate(capacity: EncoderKernels.dotRowsScratch(rows: Self.rowBlock, width: dim))
                    defer { scores.deallocate(); packed.deallocate() }
                    matrix.withUnsafeBufferPointer { qp in
                        for b in stride(from: w, to: blocks, by: workers) {
                            let r0 = b * Self.rowBlock, rn = min(Self.rowBlock, n - r0)
                            for q0 in stride(from: 0, to: m, by: Self.queryBlock) {
                                let qm = min(Self.queryBlock, m - q0)
                                // scores[q, r] = query q · row r, for the block's qm queries and rn rows.
                                EncoderKernels.dotRows(qp.baseAddress! + q0 * dim, count: qm, rows: segment.vectors + r0 * dim, rowCount: rn,
                                                       width: dim, scratch: packed, into: scores, ldc: rn)
                                for q in 0..<qm {
                                    let row = scores + q * rn
                                    for r in 0..<rn {
                                        let score = row[r] / max(segment.norms[r0 + r], 1e-12)
                                        guard mine[q0 + q].admits(score) else { continue }
                                        let id = segment.ids[r0 + r]
                                        if excluding.isEmpty || !excluding.contains(id) { mine[q0 + q].insert(score: score, id: id) }
                                    }
                                }
                            }
                        }
                    }
                    found.withLock { $0.append(mine) }
                }
                for mine in found.withLock({ $0 }) {
                    for q in 0..<m { tops[q][g].merge(mine[q]) }
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
