import ExemplarLexical

extension DemoSelector {
    /// The bm25 policy for one query: candidates ranked by rank_bm25's `BM25Okapi` score of
    /// the query's words against the support split (ties: lower id); the `k` best of each label
    /// group, groups in label order, with `perClass`, else the `k` best over all labels (OpenICL's
    /// BM25Retriever), best first. With `hybridWeight` W the ranking score is `W · BM25 scaled to
    /// [0, 1] over the support set + (1 − W) · cosine` (`BM25Okapi.hybrid`, `query --mode hybrid`'s
    /// rule). Demonstrations keep their cosine similarity to the query.
    func bm25(_ scored: Scored, words: [String]?, k: Int, perClass: Bool, hybridWeight: Double? = nil) throws(DemoError) -> [Demonstration] {
        guard let lexical, lexical.count == support.count else {
            throw .invalidParameter(.policy, value: "bm25", reason: "needs the support split's BM25 postings, which this selector was not given (DemoRequest.makeDemos adds them for an index)")
        }
        guard let words else {
            throw .invalidParameter(.policy, value: "bm25", reason: "needs the query's text: BM25 scores its words")
        }
        var scores = lexical.scores(words)
        if let hybridWeight {
            scores = BM25Okapi.hybrid(scores, weight: hybridWeight) { Double(scored.similarities[$0]) }
        }
        let ranked = scored.candidates.sorted { a, b in
            scores[a] != scores[b] ? scores[a] > scores[b] : support.ids[a] < support.ids[b]
        }
        guard perClass else { return ranked.prefix(k).map(scored.demonstration) }
        var byGroup = [[Int]](repeating: [], count: support.grouping.groupCount)
        for position in ranked where byGroup[support.groups[position]].count < k {
            byGroup[support.groups[position]].append(position)
        }
        return byGroup.flatMap { $0.map(scored.demonstration) }
    }
}
