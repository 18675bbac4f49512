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
    /// With `first`, only the first `first` of that order (the rest is never sorted).
    func rankedMoreSimilarThenEarlier(_ positions: [Int], first: Int? = nil) -> [Int] {
        var keys = [UInt64]()
        keys.reserveCapacity(positions.count)
        for position in positions {
            let s = similarities[position] == 0 ? Float(0) : similarities[position]
            let bits = s.bitPattern
            let ascending = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
            keys.append(UInt64(~ascending) << 32 | UInt64(UInt32(truncatingIfNeeded: position)))
        }
        if let first, first < keys.count {
            keys.keepSmallest(first)
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

extension Array where Element == UInt64 {
    /// Keeps the `count` smallest keys, in no particular order (Hoare quickselect, middle pivot:
    /// linear on average, where a full sort of thousands of keys per query is not).
    mutating func keepSmallest(_ count: Int) {
        precondition(count >= 0 && count <= self.count)
        var low = 0, high = self.count - 1
        while low < high {
            let pivot = self[low + (high - low) / 2]
            var i = low, j = high
            while i <= j {
                while self[i] < pivot { i += 1 }
                while self[j] > pivot { j -= 1 }
                if i <= j {
                    swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            // [low, j] <= pivot <= [i, high]; keep narrowing to the side holding position count.
            if count - 1 <= j { high = j } else if count - 1 >= i { low = i } else { break }
        }
        removeLast(self.count - count)
    }
}
