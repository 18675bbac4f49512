/// numpy's legacy random generator (`np.random.seed`, `np.random.RandomState`): MT19937 and the
/// legacy methods LM-BFF uses, reproducing numpy's numbers exactly.
///
/// Invariants (from numpy's `_mt19937.pyx` `_legacy_seeding`, `mt19937.c`, `mtrand.pyx` and
/// `distributions.c`; every method below is checked against numbers numpy printed):
/// - `np.random.seed(n)` for an integer n in 0...2³²−1 is Knuth's MT19937 `init_genrand(n)`,
///   not `init_by_array`; an array seed (`np.random.seed([a, b])`) is `init_by_array`.
/// - Raw output is the MT19937 reference: regenerate all 624 words when they are used up,
///   then temper. A 64-bit draw is two 32-bit draws, the first in the high half.
/// - Bounded integers use masked rejection, never Lemire's method (legacy `use_masked=True`):
///   mask = the smallest 2ᵏ−1 ≥ max; draw (32-bit when max fits in 32 bits, else 64-bit) & mask
///   until the value is ≤ max. One draw can consume several outputs, so the sequence depends
///   on the ranges asked for, not only on the count.
/// - `shuffle` is Fisher–Yates from the end: for i = n−1 down to 1, j = interval(i), swap
///   items i and j. numpy does the same for lists and 1-d arrays, so the order depends only
///   on the count. `permutation(n)` is `shuffle` of 0..<n.
/// - A legacy seed also resets the cached Gaussian; nothing here draws Gaussians.
public struct NumPyRandom: Sendable {
    private static let stateLength = 624
    private static let shift = 397
    private static let matrixA: UInt32 = 0x9908_B0DF
    private static let upperMask: UInt32 = 0x8000_0000
    private static let lowerMask: UInt32 = 0x7FFF_FFFF

    private var key: [UInt32]
    private var position: Int

    /// The state `np.random.seed(seed)` sets for an integer seed.
    public init(seed: UInt32) {
        key = [UInt32](repeating: 0, count: Self.stateLength)
        key[0] = seed
        for index in 1..<Self.stateLength {
            let previous = key[index - 1]
            key[index] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(index)
        }
        position = Self.stateLength
    }

    /// The state `np.random.seed(seeds)` sets for a non-empty 1-d array of seeds
    /// (MT19937's `init_by_array`).
    public init(seedArray seeds: [UInt32]) {
        precondition(!seeds.isEmpty, "numpy rejects an empty seed array")
        self.init(seed: 19_650_218)
        let n = Self.stateLength
        var i = 1, j = 0
        for _ in 0..<max(n, seeds.count) {
            let previous = key[i - 1]
            key[i] = (key[i] ^ ((previous ^ (previous >> 30)) &* 1_664_525)) &+ seeds[j] &+ UInt32(j)
            i += 1
            j += 1
            if i >= n {
                key[0] = key[n - 1]
                i = 1
            }
            if j >= seeds.count { j = 0 }
        }
        for _ in 0..<(n - 1) {
            let previous = key[i - 1]
            key[i] = (key[i] ^ ((previous ^ (previous >> 30)) &* 1_566_083_941)) &- UInt32(i)
            i += 1
            if i >= n {
                key[0] = key[n - 1]
                i = 1
            }
        }
        key[0] = 0x8000_0000
        position = n
    }

    /// The next raw 32-bit output (numpy's `next_uint32`).
    public mutating func nextUInt32() -> UInt32 {
        if position == Self.stateLength { regenerate() }
        var y = key[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// The next 64-bit output: two 32-bit outputs, the first in the high half (`next_uint64`).
    public mutating func nextUInt64() -> UInt64 {
        let high = UInt64(nextUInt32())
        return high << 32 | UInt64(nextUInt32())
    }

    /// A double in [0, 1) with 53 random bits (`np.random.random_sample()`).
    public mutating func nextDouble() -> Double {
        let a = Double(nextUInt32() >> 5), b = Double(nextUInt32() >> 6)
        return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// A uniform integer in 0...max by masked rejection (`random_interval`, used by `shuffle`).
    public mutating func interval(_ max: UInt64) -> UInt64 {
        if max == 0 { return 0 }
        let mask = Self.mask(covering: max)
        if max <= UInt64(UInt32.max) {
            while true {
                let value = UInt64(nextUInt32()) & mask
                if value <= max { return value }
            }
        }
        while true {
            let value = nextUInt64() & mask
            if value <= max { return value }
        }
    }

    /// A uniform integer in low..<high, as `np.random.randint(low, high)` draws it with the
    /// default int64 dtype (masked rejection; `random_bounded_uint64_fill`).
    public mutating func randint(_ low: Int64, _ high: Int64) -> Int64 {
        precondition(low < high, "numpy raises ValueError when low >= high")
        let range = UInt64(bitPattern: high &- low) &- 1
        let offset = UInt64(bitPattern: low)
        // numpy special-cases ranges of exactly 2³² and 2⁶⁴ values with a plain draw; the
        // masked draw below gives the same numbers for them (the mask is all ones).
        let draw = interval(range)
        return Int64(bitPattern: offset &+ draw)
    }

    /// Shuffles `items` in place as `np.random.shuffle` does a list or 1-d array.
    public mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, through: 1, by: -1) {
            let j = Int(interval(UInt64(i)))
            if i != j { items.swapAt(i, j) }
        }
    }

    /// `np.random.permutation(n)`: 0..<n shuffled.
    public mutating func permutation(_ count: Int) -> [Int] {
        var order = Array(0..<count)
        shuffle(&order)
        return order
    }

    /// The smallest all-ones bit mask that is at least `max`.
    private static func mask(covering max: UInt64) -> UInt64 {
        var mask = max
        mask |= mask >> 1
        mask |= mask >> 2
        mask |= mask >> 4
        mask |= mask >> 8
        mask |= mask >> 16
        mask |= mask >> 32
        return mask
    }

    /// Refills the 624 state words (the MT19937 recurrence).
    private mutating func regenerate() {
        let n = Self.stateLength, m = Self.shift
        key.withUnsafeMutableBufferPointer { key in
            func twist(_ i: Int, _ next: Int, _ far: Int) {
                let y = (key[i] & Self.upperMask) | (key[next] & Self.lowerMask)
                key[i] = key[far] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : Self.matrixA)
            }
            for i in 0..<(n - m) { twist(i, i + 1, i + m) }
            for i in (n - m)..<(n - 1) { twist(i, i + 1, i + m - n) }
            twist(n - 1, 0, m - 1)
        }
        position = 0
    }
}
