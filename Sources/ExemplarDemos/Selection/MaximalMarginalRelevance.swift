extension DemoSelector {
    /// Maximal marginal relevance within each group: pick by
    /// `lambda·sim(q, c) − (1 − lambda)·max over picked p of sim(c, p)` (0 before the first pick),
    /// ties by lower id; groups in order, each group's picks in pick order.
    ///
    /// Lazy greedy, the same picks as scanning every candidate at every step: a candidate's
    /// redundancy (its max similarity to the picks) only grows from the second pick on, and
    /// `lambda` is in [0, 1], so a score computed with fewer picks is an upper bound of its current
    /// one (float rounding is monotone too). Candidates wait in a max-heap by (score, lower id);
    /// the top is refreshed against the picks it has not seen, and taken once it is current.
    /// Every similarity is computed exactly as the scan would, and only where needed: one pass
    /// after the first pick, then a few candidates per pick (none after the last).
    func mmr(_ scored: Scored, perLabel: Int, lambda: Float) -> [Demonstration] {
        var byGroup = [[Int]](repeating: [], count: support.grouping.groupCount)
        for position in scored.candidates { byGroup[support.groups[position]].append(position) }
        return byGroup.flatMap { members in
            mmrPicks(members, scored: scored, count: perLabel, lambda: lambda).map(scored.demonstration)
        }
    }

    private func mmrPicks(_ members: [Int], scored: Scored, count: Int, lambda: Float) -> [Int] {
        guard count > 0, !members.isEmpty else { return [] }
        let ids = support.ids
        func score(_ position: Int, penalty: Float) -> Float { lambda * scored.similarities[position] - (1 - lambda) * penalty }
        // First pick: no penalty.
        var first = 0
        var firstScore = -Float.infinity
        for (index, position) in members.enumerated() {
            let value = score(position, penalty: 0)
            if value > firstScore || (value == firstScore && ids[position] < ids[members[first]]) {
                first = index
                firstScore = value
            }
        }
        var picked = [members[first]]
        guard count > 1, members.count > 1 else { return picked }

        // Every other candidate, scored against the first pick: (position, redundancy, picks seen, score).
        var heap = MMRHeap(ids: ids)
        heap.entries.reserveCapacity(members.count - 1)
        for (index, position) in members.enumerated() where index != first {
            let redundancy = support.similarity(position, picked[0])
            heap.entries.append(.init(position: position, redundancy: redundancy, seen: 1, score: score(position, penalty: redundancy)))
        }
        heap.heapify()
        while picked.count < count, var top = heap.entries.first {
            if top.seen == picked.count {
                picked.append(top.position)
                heap.removeTop()
                continue
            }
            for choice in picked[top.seen...] { top.redundancy = max(top.redundancy, support.similarity(top.position, choice)) }
            top.seen = picked.count
            top.score = score(top.position, penalty: top.redundancy)
            heap.replaceTop(top)
        }
        return picked
    }
}

/// A binary max-heap of MMR candidates by (score, lower id): the order of the scan's choice.
private struct MMRHeap {
    struct Entry {
        let position: Int
        var redundancy: Float
        /// How many picks `redundancy` accounts for.
        var seen: Int
        var score: Float
    }

    let ids: [Int]
    var entries: [Entry] = []

    init(ids: [Int]) { self.ids = ids }

    private func before(_ a: Entry, _ b: Entry) -> Bool {
        a.score != b.score ? a.score > b.score : ids[a.position] < ids[b.position]
    }

    mutating func heapify() {
        for index in stride(from: entries.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    mutating func removeTop() {
        let last = entries.removeLast()
        if !entries.isEmpty { replaceTop(last) }
    }

    mutating func replaceTop(_ entry: Entry) {
        entries[0] = entry
        siftDown(0)
    }

    private mutating func siftDown(_ start: Int) {
        var index = start
        while true {
            let left = 2 * index + 1, right = left + 1
            var best = index
            if left < entries.count, before(entries[left], entries[best]) { best = left }
            if right < entries.count, before(entries[right], entries[best]) { best = right }
            if best == index { return }
            entries.swapAt(index, best)
            index = best
        }
    }
}
