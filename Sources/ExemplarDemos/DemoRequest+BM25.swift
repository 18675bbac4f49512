extension DemoRequest {
    /// The bm25 policy with its defaults: per label (`per_class` true) with `k` 1, as `nearest`;
    /// with `per_class` false, `k` (default 4) of any label, as OpenICL's BM25Retriever;
    /// `bm25_weight` makes the score hybrid.
    func bm25Policy() -> SelectionPolicy {
        let perClass = perClass ?? true
        return .bm25(k: k ?? (perClass ? 1 : 4), perClass: perClass, hybridWeight: bm25Weight)
    }
}
