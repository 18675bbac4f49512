/// Dot products of one query against rows of a contiguous row-major matrix.
///
/// Shapes: `rows` is `count × dimension` floats; `query` has `dimension` floats. SIMD8 with
/// four accumulators covers multiples of 32; the tail is scalar. Memory-bound on large
/// matrices, so callers split rows across threads.
enum Scan {
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 32 <= n {
            s0 += ra.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            s1 += ra.loadUnaligned(fromByteOffset: 4 * (i + 8), as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * (i + 8), as: SIMD8<Float>.self)
            s2 += ra.loadUnaligned(fromByteOffset: 4 * (i + 16), as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * (i + 16), as: SIMD8<Float>.self)
            s3 += ra.loadUnaligned(fromByteOffset: 4 * (i + 24), as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * (i + 24), as: SIMD8<Float>.self)
            i += 32
        }
        var sum = ((s0 + s1) + (s2 + s3)).sum()
        while i < n {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }
}

/// The best `k` (score, id) pairs seen so far: highest score first, ties broken by lower id.
struct TopK {
    let k: Int
    private(set) var items: [(score: Float, id: UInt32)] = []

    init(k: Int) {
        self.k = k
        items.reserveCapacity(k + 1)
    }

    static func better(_ a: (score: Float, id: UInt32), _ b: (score: Float, id: UInt32)) -> Bool {
        a.score != b.score ? a.score > b.score : a.id < b.id
    }

    /// Whether `score` could enter (cheap test before `insert`).
    @inline(__always) func admits(_ score: Float) -> Bool {
        items.count < k || score >= items[items.count - 1].score
    }

    mutating func insert(score: Float, id: UInt32) {
        guard k > 0 else { return }
        let item = (score: score, id: id)
        if items.count == k {
            guard Self.better(item, items[k - 1]) else { return }
            items.removeLast()
        }
        var i = items.count
        while i > 0 && Self.better(item, items[i - 1]) { i -= 1 }
        items.insert(item, at: i)
    }

    mutating func merge(_ other: TopK) {
        for item in other.items { insert(score: item.score, id: item.id) }
    }
}
