/// OpenICL's `VotekRetriever.votek_select` (Vote-k selective annotation, Su et al. 2022, as
/// OpenICL implements it), step for step:
///
/// 1. Each example `i` votes for its `k` nearest others: sorting everyone's cosine to `i`
///    ascending, the `k` places before the last (the last is normally `i` itself), leaving
///    out `i` if it is among them. (numpy's `argsort` does not promise an order for equal
///    similarities, so exact duplicates may vote differently; here ties sort by position.)
/// 2. Examples that received votes, by vote count, most first; ties in the order their first
///    vote arrived (Python's stable sort of the vote dictionary).
/// 3. Walking that list, an example is taken unless, for some example *before it in the list*
///    (taken or not), `|its voters ∩ that one's voters| ≥ overlapThreshold · |its voters|`.
/// 4. If fewer than `budget` were taken, the rest are `random.sample` of the untaken ones
///    (ascending), with Python's `random.seed(seed)`.
enum VoteK {
    /// The chosen positions, in selection order.
    static func select(_ pool: AnnotationPool, budget: Int, k: Int, overlapThreshold: Double, seed: UInt32) -> [Int] {
        let n = pool.count
        var voters: [[Int]] = Array(repeating: [], count: n)
        var firstVote: [Int] = []   // positions in the order their first vote arrived
        let block = 256
        for start in stride(from: 0, to: n, by: block) {
            let rows = start..<min(n, start + block)
            let scores = pool.similarities(rows: rows)
            for i in rows {
                let offset = (i - start) * n
                // The last k + 1 of an ascending sort (ties by position): the k + 1 largest by
                // (score, position), kept here largest first; the window is all but the first.
                var top: [Int] = []
                for j in 0..<n {
                    let s = scores[offset + j]
                    if top.count == k + 1 {
                        let last = top[k]
                        guard s > scores[offset + last] || (s == scores[offset + last] && j > last) else { continue }
                        top.removeLast()
                    }
                    var at = top.count
                    while at > 0, s > scores[offset + top[at - 1]] || (s == scores[offset + top[at - 1]] && j > top[at - 1]) { at -= 1 }
                    top.insert(j, at: at)
                }
                // argsort(...)[-k-1:-1] lists them ascending.
                for candidate in top.dropFirst().reversed() where candidate != i {
                    if voters[candidate].isEmpty { firstVote.append(candidate) }
                    voters[candidate].append(i)
                }
            }
        }
        // Stable sort by vote count, most first.
        let ranked = firstVote.enumerated().sorted { a, b in
            voters[a.element].count != voters[b.element].count ? voters[a.element].count > voters[b.element].count : a.offset < b.offset
        }.map(\.element)
        let sets = ranked.map { Set(voters[$0]) }
        var chosen: [Int] = []
        for (j, candidate) in ranked.enumerated() where chosen.count < budget {
            let own = sets[j]
            let limit = overlapThreshold * Double(own.count)
            let overlaps = (0..<j).contains { previous in Double(own.intersection(sets[previous]).count) >= limit }
            if !overlaps { chosen.append(candidate) }
        }
        if chosen.count < budget {
            let taken = Set(chosen)
            var random = PythonRandom(seed: seed)
            chosen += random.sample((0..<n).filter { !taken.contains($0) }, budget - chosen.count)
        }
        return chosen
    }
}
