import ExemplarDemos
import Testing

/// Selective annotation against OpenICL's votek_select and RandomRetriever draw (fixtures made by
/// scripts/check-openicl on the same embeddings).
@Suite struct AnnotationTests {
    @Test(arguments: OpenICLFixture.names) func voteKIsOpenICLs(_ name: String) throws {
        let fixture = try OpenICLFixture.load(name)
        let (vectors, d) = try OpenICLFixture.train(name)
        let pool = try AnnotationPool(vectors: vectors, dimension: d)
        for s in [fixture.votek, fixture.votekFill] {
            let ours = try pool.select(budget: s.budget, method: .voteK(k: s.k ?? 3, overlapThreshold: s.overlapThreshold ?? 1), seed: s.seed)
            #expect(ours == s.selected, "budget \(s.budget)")
        }
    }

    @Test(arguments: OpenICLFixture.names) func randomIsNumpysChoice(_ name: String) throws {
        let fixture = try OpenICLFixture.load(name)
        let (vectors, d) = try OpenICLFixture.train(name)
        let pool = try AnnotationPool(vectors: vectors, dimension: d)
        #expect(try pool.select(budget: fixture.random.budget, method: .random, seed: fixture.random.seed) == fixture.random.selected)
    }

    @Test func kMeansMedoidsAreDeterministicAndDistinct() throws {
        let (vectors, d) = try OpenICLFixture.train("trec-16-42")
        let pool = try AnnotationPool(vectors: vectors, dimension: d)
        let a = try pool.select(budget: 6, method: .kMeans(), seed: 13)
        #expect(a == (try pool.select(budget: 6, method: .kMeans(), seed: 13)))
        #expect(Set(a).count == 6 && a.allSatisfy { (0..<pool.count).contains($0) })
        #expect(try pool.select(budget: pool.count, method: .kMeans(), seed: 1).sorted() == Array(0..<pool.count))
        #expect(try pool.select(budget: 1, method: .kMeans(), seed: 3).count == 1)
    }

    @Test func aBudgetLargerThanThePoolNamesTheBudget() throws {
        let (vectors, d) = try OpenICLFixture.train("SST-2-16-42")
        let pool = try AnnotationPool(vectors: vectors, dimension: d)
        for method in [AnnotationMethod.voteK(), .random, .kMeans()] {
            do {
                _ = try pool.select(budget: pool.count + 1, method: method, seed: 1)
                Issue.record("budget above the pool accepted by \(method.name)")
            } catch {
                #expect(error.description.hasPrefix("budget \(pool.count + 1) is invalid"))
            }
        }
    }
}
