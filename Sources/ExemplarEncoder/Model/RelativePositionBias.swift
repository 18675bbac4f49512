import Foundation

/// MPNet's relative position bias: T5-style buckets of the key-minus-query distance
/// (bidirectional, 32 buckets, exact below 8, logarithmic up to 128), each bucket a learned
/// scalar per head that is added to the attention scores of every layer.
///
/// The bias depends only on `key - query`, so one row of `2L - 1` values per head covers
/// every sequence of length up to `L`: the scores row of query `i` takes the contiguous
/// slice starting at `(L - 1) - i`.
struct RelativePositionBias {
    /// transformers' `relative_position_bucket` defaults, which MPNet always uses.
    static let buckets = 32
    static let maxDistance = 128

    /// `[heads, 2 · longest - 1]`: entry `(L - 1) + r` of a head's row is its bias for `key - query = r`.
    let values: [Float]
    let longest: Int

    /// The bucket of a key-minus-query distance, computed in float32 as transformers does.
    static func bucket(_ relative: Int) -> Int {
        let half = buckets / 2, maxExact = half / 2
        var n = -relative
        var bucket = 0
        if n < 0 { bucket += half }
        n = abs(n)
        if n < maxExact { return bucket + n }
        let scaled = logf(Float(n) / Float(maxExact)) / Float(log(Double(maxDistance) / Double(maxExact)))
            * Float(half - maxExact)
        return bucket + min(maxExact + Int(scaled), half - 1)
    }

    /// The bias rows for sequences up to `longest` tokens from the `[buckets, heads]` table.
    init(table: UnsafePointer<Float>, heads: Int, longest: Int) {
        let width = max(1, 2 * longest - 1)
        var values = [Float](repeating: 0, count: heads * width)
        for r in -(longest - 1)..<longest {
            let row = table + Self.bucket(r) * heads
            for h in 0..<heads { values[h * width + (longest - 1) + r] = row[h] }
        }
        self.values = values
        self.longest = longest
    }

    /// Writes head `head`'s bias for a sequence of `n` tokens into the `n × n` matrix `scores`
    /// (row stride `n`), replacing what was there.
    func fill(_ scores: UnsafeMutablePointer<Float>, head: Int, count n: Int) {
        let width = 2 * longest - 1
        values.withUnsafeBufferPointer { vb in
            let base = vb.baseAddress! + head * width + (longest - 1)
            for i in 0..<n {
                (scores + i * n).update(from: base - i, count: n)
            }
        }
    }
}
