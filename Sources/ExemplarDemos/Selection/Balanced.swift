extension DemoSelector {
    /// The label-balanced nearest policy: candidates ranked by similarity (ties: lower id) within
    /// each group; rounds take the next most similar of each group in label order until `count`
    /// are chosen (a group that runs out is skipped). Returned in label order, each label's
    /// most similar first (LM-BFF's concatenation order).
    func balanced(_ scored: Scored, count: Int) -> [Demonstration] {
        var byGroup = [[Int]](repeating: [], count: support.grouping.groupCount)
        for position in scored.candidates.sorted(by: scored.moreSimilarThenLowerID) {
            byGroup[support.groups[position]].append(position)
        }
        var picked: [Int] = []
        var round = 0
        while picked.count < count {
            var took = false
            for members in byGroup where round < members.count && picked.count < count {
                picked.append(members[round])
                took = true
            }
            guard took else { break }
            round += 1
        }
        return picked.map(scored.demonstration).enumerated()
            .sorted { $0.element.group != $1.element.group ? $0.element.group < $1.element.group : $0.offset < $1.offset }.map(\.element)
    }
}
