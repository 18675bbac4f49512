/// A query's similarities to the support set and its candidate positions (support order).
struct Scored {
    let support: SupportSet
    /// Cosine similarity per support position.
    let similarities: [Float]
    /// Support positions that may be demonstrations (all but the query itself).
    let candidates: [Int]

    /// The demonstration at support position `position`.
    func demonstration(_ position: Int) -> Demonstration {
        Demonstration(id: support.ids[position], position: position, group: support.groups[position],
                      similarity: similarities[position])
    }

    /// LM-BFF's order: more similar first, ties in support order (Python's stable sort, reverse=True).
    func moreSimilarThenEarlier(_ a: Int, _ b: Int) -> Bool {
        similarities[a] != similarities[b] ? similarities[a] > similarities[b] : a < b
    }

    /// `positions` in `moreSimilarThenEarlier` order, sorted as packed integer keys (similarity
    /// bits made order-preserving, then position): the same order, several times faster than a
    /// comparator sort on thousands of candidates. -0.0 and 0.0 compare equal, as in Python.
    func rankedMoreSimilarThenEarlier(_ positions: [Int]) -> [Int] {
        var keys = [UInt64]()
        keys.reserveCapacity(positions.count)
        for position in positions {
            let s = similarities[position] == 0 ? Float(0) : similarities[position]
            let bits = s.bitPattern
            let ascending = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
            keys.append(UInt64(~ascending) << 32 | UInt64(UInt32(truncatingIfNeeded: position)))
        }
        keys.sort()
        return keys.map { Int(UInt32(truncatingIfNeeded: $0)) }
    }

    /// The deterministic policies' order: more similar first, ties by lower id.
    func moreSimilarThenLowerID(_ a: Int, _ b: Int) -> Bool {
        similarities[a] != similarities[b] ? similarities[a] > similarities[b] : support.ids[a] < support.ids[b]
    }
}

extension DemoSelector {
    /// The `perLabel` most similar candidates of each group, groups in order.
    func nearest(_ scored: Scored, perLabel: Int) -> [Demonstration] {
        var byGroup = [[Int]](repeating: [], count: support.grouping.groupCount)
        for position in scored.candidates.sorted(by: scored.moreSimilarThenLowerID) {
            let group = support.groups[position]
            if byGroup[group].count < perLabel { byGroup[group].append(position) }
        }
        return byGroup.flatMap { $0.map(scored.demonstration) }
    }
}
