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
