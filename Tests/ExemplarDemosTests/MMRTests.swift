@testable import ExemplarDemos
import ExemplarKernels
import Testing

/// The lazy-greedy MMR equals the straightforward scan (every candidate rescored at every pick,
/// in the same float32 arithmetic) on random data with duplicates and exact score ties.
@Suite struct MMRTests {
    /// The definition: at each pick, scan every remaining candidate of the group.
    static func scan(_ support: SupportSet, similarities: [Float], candidates: [Int], perLabel: Int, lambda: Float) -> [Int] {
        var byGroup = [[Int]](repeating: [], count: support.grouping.groupCount)
        for position in candidates { byGroup[support.groups[position]].append(position) }
        return byGroup.flatMap { members -> [Int] in
            var remaining = members
            var picked: [Int] = []
            while picked.count < perLabel, !remaining.isEmpty {
                var best = 0
                var bestScore = -Float.infinity
                for (index, position) in remaining.enumerated() {
                    let penalty = picked.map { support.similarity(position, $0) }.max() ?? 0
                    let value = lambda * similarities[position] - (1 - lambda) * penalty
                    if value > bestScore || (value == bestScore && support.ids[position] < support.ids[remaining[best]]) {
                        best = index
                        bestScore = value
                    }
                }
                picked.append(remaining.remove(at: best))
            }
            return picked.map { support.ids[$0] }
        }
    }

    @Test(arguments: [UInt64(3), 11, 29])
    func lazyGreedyEqualsTheScan(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let count = 150, dimension = 6
        // Coarse values (ties) and every fifth row a copy of an earlier one (duplicates).
        var rows = (0..<count).map { _ in (0..<dimension).map { _ in Float(generator.below(7)) - 3 } }
        for i in stride(from: 5, to: count, by: 5) { rows[i] = rows[Int(generator.below(i))] }
        let labels = (0..<count).map { ["x", "y"][$0 % 3 == 0 ? 0 : 1] }
        let support = try SupportSet(ids: (0..<count).map { 5000 - 7 * $0 }, labels: labels, grouping: .classes(["x", "y"]),
                                     vectors: rows.flatMap { $0 }, dimension: dimension)
        for lambda in [0.0, 0.25, 0.5, 0.9, 1.0] {
            for perLabel in [1, 2, 5, 12, 60] {
                let selector = try DemoSelector(support: support, policy: .mmr(perLabel: perLabel, lambda: lambda), seed: 1)
                for position in [0, 4, 77] {
                    let query = DemoQuery(vector: rows[position].map { $0 + 0.5 }, excludedID: support.ids[position], key: 0)
                    var unit = query.vector
                    Vectors.normalize(&unit)
                    let expected = Self.scan(support, similarities: support.similarities(toUnit: unit),
                                             candidates: (0..<count).filter { $0 != position }, perLabel: perLabel, lambda: Float(lambda))
                    #expect(try selector.select(query)[0].map(\.id) == expected, "lambda \(lambda), perLabel \(perLabel), query \(position)")
                }
            }
        }
    }
}
