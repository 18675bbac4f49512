@testable import ExemplarDemos
import ExemplarData
import Testing

/// Random support sets and brute-force references, computed in Double from the raw vectors.
struct Toy {
    let support: SupportSet
    let vectors: [[Float]]
    let labels: [String]

    init(count: Int = 60, dimension: Int = 12, labels names: [String] = ["a", "b", "c"], seed: UInt64 = 7) throws {
        var generator = SeededGenerator(seed: seed)
        let vectors = (0..<count).map { _ in (0..<dimension).map { _ in Float(generator.below(2001) - 1000) / 1000 } }
        let labels = (0..<count).map { names[($0 * 7 + 3) % names.count] }
        self.vectors = vectors
        self.labels = labels
        // Ids out of support order, so "ties by id" and "support order" differ.
        support = try SupportSet(ids: (0..<count).map { 1000 - 3 * $0 }, labels: labels, grouping: .classes(names),
                                 vectors: vectors.flatMap { $0 }, dimension: dimension)
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let na = a.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let nb = b.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        return dot / (na * nb)
    }

    func query(_ position: Int) -> DemoQuery {
        DemoQuery(vector: vectors[position].map { $0 * 0.5 + 0.1 }, excludedID: support.ids[position], key: UInt64(position))
    }

    /// Candidates (support positions) for a query built by `query(position)`.
    func candidates(_ position: Int) -> [Int] { (0..<vectors.count).filter { $0 != position } }
}

@Suite struct SelectionTests {
    @Test func nearestMatchesBruteForce() throws {
        let toy = try Toy()
        let selector = try DemoSelector(support: toy.support, policy: .nearest(perLabel: 3), seed: 1)
        for position in [0, 5, 17, 42] {
            let query = toy.query(position)
            let got = try selector.select(query)
            #expect(got.count == 1)
            var expected: [Int] = []
            for label in ["a", "b", "c"] {
                let members = toy.candidates(position).filter { toy.labels[$0] == label }
                let ranked = members.sorted {
                    let (x, y) = (Toy.cosine(query.vector, toy.vectors[$0]), Toy.cosine(query.vector, toy.vectors[$1]))
                    return x != y ? x > y : toy.support.ids[$0] < toy.support.ids[$1]
                }
                expected += ranked.prefix(3).map { toy.support.ids[$0] }
            }
            #expect(got[0].map(\.id) == expected)
            #expect(got[0].map(\.group) == [0, 0, 0, 1, 1, 1, 2, 2, 2])
            #expect(!got[0].contains { $0.id == toy.support.ids[position] })
        }
    }

    @Test(arguments: [0.0, 0.3, 0.7, 1.0])
    func mmrMatchesBruteForce(lambda: Double) throws {
        let toy = try Toy()
        let selector = try DemoSelector(support: toy.support, policy: .mmr(perLabel: 4, lambda: lambda), seed: 1)
        for position in [1, 9, 30] {
            let query = toy.query(position)
            var expected: [Int] = []
            for label in ["a", "b", "c"] {
                var remaining = toy.candidates(position).filter { toy.labels[$0] == label }
                var picked: [Int] = []
                while picked.count < 4 {
                    func score(_ c: Int) -> Double {
                        let penalty = picked.map { Toy.cosine(toy.vectors[c], toy.vectors[$0]) }.max() ?? 0
                        return lambda * Toy.cosine(query.vector, toy.vectors[c]) - (1 - lambda) * penalty
                    }
                    let best = remaining.max { score($0) != score($1) ? score($0) < score($1) : toy.support.ids[$0] > toy.support.ids[$1] }!
                    picked.append(best)
                    remaining.removeAll { $0 == best }
                }
                expected += picked.map { toy.support.ids[$0] }
            }
            #expect(try selector.select(query)[0].map(\.id) == expected)
        }
    }

    @Test func mmrWithLambdaOneIsNearest() throws {
        let toy = try Toy()
        let mmr = try DemoSelector(support: toy.support, policy: .mmr(perLabel: 5, lambda: 1), seed: 1)
        let nearest = try DemoSelector(support: toy.support, policy: .nearest(perLabel: 5), seed: 1)
        for position in 0..<10 { #expect(try mmr.select(toy.query(position)) == nearest.select(toy.query(position))) }
    }

    @Test func inContextNearestIsTopNOverAllLabels() throws {
        let toy = try Toy()
        let selector = try DemoSelector(support: toy.support, policy: .inContext(count: 7, order: .nearest), seed: 1)
        let query = toy.query(3)
        let expected = toy.candidates(3).sorted {
            Toy.cosine(query.vector, toy.vectors[$0]) > Toy.cosine(query.vector, toy.vectors[$1])
        }.prefix(7).map { toy.support.ids[$0] }
        #expect(try selector.select(query)[0].map(\.id) == expected)
    }

    @Test func inContextRandomDrawsDistinctCandidatesDeterministically() throws {
        let toy = try Toy()
        let policy = SelectionPolicy.inContext(count: 5, order: .random(samples: 20))
        let a = try DemoSelector(support: toy.support, policy: policy, seed: 42)
        let b = try DemoSelector(support: toy.support, policy: policy, seed: 42)
        let c = try DemoSelector(support: toy.support, policy: policy, seed: 43)
        let samples = try a.select(toy.query(2))
        #expect(samples.count == 20)
        for sample in samples {
            #expect(sample.count == 5 && Set(sample.map(\.id)).count == 5)
            #expect(!sample.contains { $0.id == toy.support.ids[2] })
        }
        #expect(try b.select(toy.query(2)) == samples)
        #expect(try c.select(toy.query(2)) != samples)
        // Filtered: every draw comes from LM-BFF's filtered candidates.
        let filtered = try DemoSelector(support: toy.support, policy: .inContext(count: 4, order: .random(samples: 10, filterRate: 0.3)), seed: 5)
        let allowed = Set(try filtered.filteredCandidates(toy.query(2), filterRate: 0.3).map(\.id))
        for sample in try filtered.select(toy.query(2)) { #expect(sample.allSatisfy { allowed.contains($0.id) }) }
    }

    @Test func lmbffSamplesOnePerLabelFromTheFilteredSet() throws {
        let toy = try Toy()
        let selector = try DemoSelector(support: toy.support, policy: .lmbff(filterRate: 0.5, samples: 16), seed: 13)
        let query = toy.query(4)
        let kept = try selector.filteredCandidates(query, filterRate: 0.5)
        // 59 candidates // 3 labels = 19, × 0.5 → 9 per label.
        #expect(kept.count == 27)
        for group in 0..<3 { #expect(kept.filter { $0.group == group }.count == 9) }
        #expect(zip(kept, kept.dropFirst()).allSatisfy { $0.similarity >= $1.similarity })
        let allowed = Set(kept.map(\.id))
        let samples = try selector.select(query)
        #expect(samples.count == 16)
        for sample in samples {
            #expect(sample.map(\.group) == [0, 1, 2])
            #expect(sample.allSatisfy { allowed.contains($0.id) })
        }
        #expect(Set(samples.map { $0.map(\.id) }).count > 1)
        #expect(try selector.select(query) == samples)
        // A query's samples do not depend on other queries being selected first.
        _ = try selector.select(toy.query(9))
        #expect(try selector.select(query) == samples)
    }

    @Test func randomReachesEveryCandidateButNeverTheQuery() throws {
        let toy = try Toy(count: 12)
        let selector = try DemoSelector(support: toy.support, policy: .random(samples: 300), seed: 21)
        let samples = try selector.select(toy.query(0))
        let seen = Set(samples.flatMap { $0.map(\.id) })
        #expect(seen == Set(toy.candidates(0).map { toy.support.ids[$0] }))
        #expect(samples.allSatisfy { $0.map(\.group) == [0, 1, 2] })
    }

    @Test func lmbffTiesKeepSupportOrder() throws {
        // Four identical vectors: equal similarity, so LM-BFF's stable sort keeps support order.
        let support = try SupportSet(ids: [9, 4, 7, 1], labels: ["0", "0", "1", "1"], grouping: .classes(["0", "1"]),
                                     vectors: [1, 0, 1, 0, 1, 0, 1, 0], dimension: 2)
        let selector = try DemoSelector(support: support, policy: .lmbff(filterRate: 0.5, samples: 1), seed: 0)
        #expect(try selector.filteredCandidates(DemoQuery(vector: [1, 1], key: 0), filterRate: 0.5).map(\.id) == [9, 7])
        let nearest = try DemoSelector(support: support, policy: .nearest(perLabel: 1), seed: 0)
        #expect(try nearest.select(DemoQuery(vector: [1, 1], key: 0))[0].map(\.id) == [4, 1])
    }

    @Test func regressionSplitsAtTheMedian() throws {
        let grouping = DemoLabels(task: .stsb)
        #expect(grouping == .regression(median: 2.5))
        #expect(try grouping.group(of: "2.5") == 0 && grouping.group(of: "2.6") == 1)
        #expect(throws: DemoError.notANumber(label: "high")) { try grouping.group(of: "high") }
        #expect(DemoLabels(task: .rte) == .classes(["entailment", "not_entailment"]))
    }

    @Test func generatorIsPinned() {
        var generator = SeededGenerator(seed: 42, key: 0)
        let permutation = generator.permutation(10)
        #expect(permutation.sorted() == Array(0..<10))
        // Pinned: a change to the generator changes every sampled context; update docs if intended.
        #expect(permutation == SeededGenerator.pinnedPermutation)
    }

    @Test func optionsAreValidatedWithTheirNames() throws {
        let toy = try Toy(count: 6)
        let cases: [(SelectionPolicy, String)] = [
            (.lmbff(filterRate: 0, samples: 1), "filter rate"), (.lmbff(filterRate: 1.5, samples: 1), "filter rate"),
            (.lmbff(filterRate: 0.5, samples: 0), "num_sample"), (.random(samples: 0), "num_sample"),
            (.nearest(perLabel: 0), "k (demonstrations per label)"), (.mmr(perLabel: 1, lambda: -0.1), "lambda"),
            (.mmr(perLabel: 1, lambda: 1.1), "lambda"), (.inContext(count: 0), "in-context demonstration count"),
            (.inContext(count: 2, order: .random(samples: 1, filterRate: 2)), "filter rate"),
        ]
        for (policy, option) in cases {
            do {
                _ = try DemoSelector(support: toy.support, policy: policy, seed: 0)
                Issue.record("\(policy) was accepted")
            } catch {
                guard case .invalidOption(let name, _, _) = error else { Issue.record("\(error)"); continue }
                #expect(name == option)
                #expect(error.description.hasPrefix(option))
            }
        }
    }

    @Test func badInputsAreTypedErrors() throws {
        #expect(throws: DemoError.countMismatch(what: "labels", expected: 2, found: 1)) {
            try SupportSet(ids: [1, 2], labels: ["0"], grouping: .classes(["0"]), vectors: [1, 2], dimension: 1)
        }
        #expect(throws: DemoError.duplicateID(1)) {
            try SupportSet(ids: [1, 1], labels: ["0", "0"], grouping: .classes(["0"]), vectors: [1, 2], dimension: 1)
        }
        #expect(throws: DemoError.unknownLabel(label: "2", known: ["0", "1"])) {
            try SupportSet(ids: [1], labels: ["2"], grouping: .classes(["0", "1"]), vectors: [1], dimension: 1)
        }
        let toy = try Toy(count: 6)
        let selector = try DemoSelector(support: toy.support, policy: .lmbff(filterRate: 0.1, samples: 1), seed: 0)
        #expect(throws: DemoError.dimensionMismatch(what: "the query vector", expected: 12, found: 3)) {
            try selector.select(DemoQuery(vector: [1, 2, 3], key: 0))
        }
        // 5 candidates // 3 labels × 0.1 = 0.
        #expect(throws: DemoError.filterKeepsNothing(rate: 0.1, candidates: 5, labels: 3)) { try selector.select(toy.query(0)) }
        let single = try SupportSet(ids: [3], labels: ["a"], grouping: .classes(["a"]), vectors: [1], dimension: 1)
        let lonely = try DemoSelector(support: single, policy: .random(samples: 1), seed: 0)
        #expect(throws: DemoError.noCandidates) { try lonely.select(DemoQuery(vector: [1], excludedID: 3, key: 0)) }
    }
}

extension SeededGenerator {
    static let pinnedPermutation = [8, 7, 3, 0, 5, 4, 6, 1, 2, 9]
}
