@testable import ExemplarDemos
import ExemplarTestSupport
import Testing

/// `keepSmallest` (topk-dpp's candidate cut) keeps exactly the smallest keys of a full sort.
@Suite struct QuickselectTests {
    @Test func keepsTheSmallestKeysOfAFullSort() {
        var random = SplitMix(seed: 7)
        for trial in 0..<300 {
            let n = Int.random(in: 1...400, using: &random)
            // Few distinct high halves (as ties in similarity), unique low halves (as positions).
            let keys = (0..<n).map { UInt64(UInt32.random(in: 0...UInt32(trial % 5 + 1), using: &random)) << 32 | UInt64($0) }
                .shuffled(using: &random)
            let count = Int.random(in: 0...n, using: &random)
            var kept = keys
            kept.keepSmallest(count)
            #expect(kept.sorted() == Array(keys.sorted().prefix(count)), "n \(n), count \(count)")
        }
    }
}
