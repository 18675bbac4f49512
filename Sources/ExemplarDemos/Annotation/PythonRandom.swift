import ExemplarData
import Foundation

/// Python's `random` module for the calls Vote-k's random fill makes: `random.seed(n)` and
/// `random.sample(population, k)`, reproducing CPython 3's numbers exactly.
///
/// Invariants (CPython's `_randommodule.c` and `random.py`):
/// - `random.seed(n)` for an int n in 0...2³²−1 is MT19937's `init_by_array([n])` (numpy's
///   array seeding, `NumPyRandom(seedArray:)`).
/// - `getrandbits(b)` for b ≤ 32 is the next 32-bit output shifted right by 32 − b;
///   `_randbelow(n)` draws `getrandbits(n.bit_length())` until the value is below n.
/// - `sample` keeps a pool (swap-remove) when n ≤ setsize (21, plus 4^⌈log₄(3k)⌉ when
///   k > 5), else redraws indices already taken; results are in selection order.
struct PythonRandom {
    private var generator: NumPyRandom

    /// The state `random.seed(seed)` sets.
    init(seed: UInt32) {
        generator = NumPyRandom(seedArray: [seed])
    }

    /// `random._randbelow(n)` for 1 ≤ n < 2³².
    mutating func below(_ n: Int) -> Int {
        precondition(n >= 1 && n <= Int(UInt32.max))
        let bits = Int.bitWidth - n.leadingZeroBitCount
        while true {
            let r = Int(generator.nextUInt32() >> UInt32(32 - bits))
            if r < n { return r }
        }
    }

    /// `random.sample(population, k)` (0 ≤ k ≤ population.count).
    mutating func sample<T>(_ population: [T], _ k: Int) -> [T] {
        let n = population.count
        precondition(k >= 0 && k <= n)
        var setSize = 21
        if k > 5 {
            let exponent = Int((Foundation.log(Double(k * 3)) / Foundation.log(4.0)).rounded(.up))
            setSize += exponent >= 31 ? Int.max / 2 : 1 << (2 * exponent)
        }
        var result: [T] = []
        result.reserveCapacity(k)
        if n <= setSize {
            var pool = population
            for i in 0..<k {
                let j = below(n - i)
                result.append(pool[j])
                pool[j] = pool[n - i - 1]
            }
        } else {
            var selected = Set<Int>()
            for _ in 0..<k {
                var j = below(n)
                while selected.contains(j) { j = below(n) }
                selected.insert(j)
                result.append(population[j])
            }
        }
        return result
    }
}
