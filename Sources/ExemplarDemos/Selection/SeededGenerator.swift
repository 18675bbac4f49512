/// Exemplar's random numbers for demonstration sampling: xoshiro256** seeded through SplitMix64.
///
/// LM-BFF samples with NumPy's global Mersenne Twister (`np.random.permutation`); we do not
/// reproduce its draws, only its procedure. Every query gets its own stream derived from
/// `(seed, key)`, so a query's samples do not depend on which other queries are selected or
/// in what order. Bounded draws use Lemire's multiply-and-reject method, so results are the
/// same on every platform and Swift version.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator for stream `key` of `seed`.
    public init(seed: UInt64, key: UInt64 = 0) {
        var mixer = seed ^ Self.splitMix(key &+ 0x632B_E59B_D9B4_E019)
        state = (Self.next(&mixer), Self.next(&mixer), Self.next(&mixer), Self.next(&mixer))
    }

    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    /// A uniform integer in `0..<bound` (`bound` > 0).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }

    /// A uniformly random permutation of `0..<count` (Fisher–Yates, from the end).
    public mutating func permutation(_ count: Int) -> [Int] {
        var order = Array(0..<count)
        var i = count - 1
        while i > 0 {
            order.swapAt(i, below(i + 1))
            i -= 1
        }
        return order
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    private static func next(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        return splitMix(x)
    }

    private static func splitMix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
