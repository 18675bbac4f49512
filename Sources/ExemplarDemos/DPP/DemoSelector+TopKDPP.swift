extension DemoSelector {
    /// TopK-DPP for one query: per label group with `perClass` (groups in label order), else over
    /// all candidates; each result most relevant first, as OpenICL orders its `ice_idx`.
    func topkDPP(_ scored: Scored, _ options: TopKDPP) throws(DemoError) -> [Demonstration] {
        guard options.perClass else {
            let ranked = scored.rankedMoreSimilarThenEarlier(scored.candidates, first: options.candidates)
            return try topkDPP(scored, ranked: ranked, options)
        }
        let ranked = scored.rankedMoreSimilarThenEarlier(scored.candidates)
        var byGroup = [[Int]](repeating: [], count: support.grouping.groupCount)
        for position in ranked { byGroup[support.groups[position]].append(position) }
        var result: [Demonstration] = []
        for members in byGroup where !members.isEmpty {
            result += try topkDPP(scored, ranked: members, options)
        }
        return result
    }

    /// The DPP stage on the first `candidates` of `ranked` (support positions, most similar first).
    private func topkDPP(_ scored: Scored, ranked: [Int], _ options: TopKDPP) throws(DemoError) -> [Demonstration] {
        let candidates = faissTieOrder(Array(ranked.prefix(options.candidates)), scored.similarities)
        let dimension = support.dimension
        var units = [Float]()
        units.reserveCapacity(candidates.count * dimension)
        for position in candidates {
            units += support.unitVectors[(position * dimension)..<((position + 1) * dimension)]
        }
        let kernel = DPPKernel(cosines: candidates.map { scored.similarities[$0] }, units: units,
                               dimension: dimension, scaleFactor: options.scaleFactor)
        let picks: [Int]
        switch options.mode {
        case .map:
            picks = GreedyMAP.select(kernel, k: options.k, fallback: Array(candidates.indices))
        case .sample:
            let k = min(options.k, candidates.count)
            guard let sample = KDPPSampler.sample(kernel, k: k, seed: UInt32(truncatingIfNeeded: seed)) else {
                throw .invalidOption(option: "k", value: "\(k)",
                                     expected: "at most the rank of the candidates' DPP kernel for every query (some candidates are duplicates); lower k, raise candidate_num or use dpp_mode map")
            }
            picks = sample
        }
        // OpenICL: samples_ids[(-samples_scores).argsort()]: most relevant first (ties in pick order).
        let ordered = picks.enumerated().sorted { a, b in
            let (x, y) = (kernel.relevance[a.element], kernel.relevance[b.element])
            return x != y ? x > y : a.offset < b.offset
        }
        return ordered.map { scored.demonstration(candidates[$0.element]) }
    }

    /// The candidates in the order OpenICL's faiss search returns them: its heap keeps the first
    /// rows seen among equal scores (as `ranked` does: earlier first) but lists equal scores last
    /// row first. The order is the kernel's row order, so it decides which of two duplicate
    /// examples greedy MAP's argmax takes.
    private func faissTieOrder(_ ranked: [Int], _ similarities: [Float]) -> [Int] {
        var result = ranked
        var start = 0
        while start < result.count {
            var end = start + 1
            while end < result.count, similarities[result[end]] == similarities[result[start]] { end += 1 }
            result[start..<end].reverse()
            start = end
        }
        return result
    }
}
