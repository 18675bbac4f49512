import Dispatch
import Synchronization
import ExemplarStore
import ExemplarKernels

/// One search result: a record and its cosine similarity to the query.
public struct Hit: Sendable, Equatable {
    public let id: UInt32
    public let score: Float
}

/// Which records a search may return.
public struct SearchFilter: Sendable, Equatable {
    /// Only records with this label.
    public var label: String?
    /// Only records of this split (train, dev, test).
    public var split: String?
    /// Never these ids (for example the query itself).
    public var excluding: Set<UInt32>

    public init(label: String? = nil, split: String? = nil, excluding: Set<UInt32> = []) {
        self.label = label
        self.split = split
        self.excluding = excluding
    }
}

/// Exact cosine search over an index's vectors, held in memory per class.
///
/// Vectors are L2-normalized at load (`Vectors.normalize`, as queries are) and laid out
/// contiguously per label, so a per-class or label-filtered search scans one block and an
/// all-class search scans them all in one pass.
/// Results are deterministic: by score, highest first, ties broken by the lower id.
public struct ExactIndex: Sendable {
    /// One label's rows.
    struct Group: Sendable {
        let label: String
        let ids: [UInt32]
        let vectors: [Float]   // ids.count × dimension, normalized
    }

    public let records: [IndexRecord]
    public let dimension: Int
    let groups: [Group]
    /// Where each record's vector lives: `(group, row)` by record position.
    let positions: [(group: Int, row: Int)]

    /// Builds the in-memory layout from records and their vectors (`records.count × dimension`).
    /// `labelOrder` fixes the order of classes in per-class results (default: first seen).
    public init(records: [IndexRecord], vectors: [Float], dimension: Int, labelOrder: [String]? = nil) {
        precondition(vectors.count == records.count * dimension)
        self.records = records
        self.dimension = dimension
        var order = labelOrder ?? []
        var rowsByLabel: [String: [Int]] = [:]
        for (row, record) in records.enumerated() {
            if rowsByLabel[record.label] == nil && !order.contains(record.label) { order.append(record.label) }
            rowsByLabel[record.label, default: []].append(row)
        }
        var positions = [(group: Int, row: Int)](repeating: (0, 0), count: records.count)
        for (g, label) in order.enumerated() {
            for (i, row) in (rowsByLabel[label] ?? []).enumerated() { positions[row] = (g, i) }
        }
        self.positions = positions
        groups = order.map { label in
            let rows = rowsByLabel[label] ?? []
            var block = [Float](repeating: 0, count: rows.count * dimension)
            vectors.withUnsafeBufferPointer { source in
                block.withUnsafeMutableBufferPointer { target in
                    for (i, row) in rows.enumerated() {
                        let to = target.baseAddress! + i * dimension
                        to.update(from: source.baseAddress! + row * dimension, count: dimension)
                        Vectors.normalize(to, count: dimension)
                    }
                }
            }
            return Group(label: label, ids: rows.map { records[$0].id }, vectors: block)
        }
    }

    /// The L2-normalized vector of the record at `position` (its id when ids are 0..<n).
    public func vector(at position: Int) -> ArraySlice<Float> {
        let (g, row) = positions[position]
        return groups[g].vectors[(row * dimension)..<((row + 1) * dimension)]
    }

    /// Labels in per-class result order.
    public var labels: [String] { groups.map(\.label) }

    /// The `k` records most similar to `query` that pass `filter`.
    public func search(_ query: [Float], k: Int, filter: SearchFilter = SearchFilter(), threads: Int = 2) -> [Hit] {
        var top = TopK(k: k)
        for group in groups where filter.label == nil || filter.label == group.label {
            top.merge(scan(group, query: normalized(query), k: k, filter: filter, threads: threads))
        }
        return top.items.map { Hit(id: $0.id, score: $0.score) }
    }

    /// The `k` most similar records of each label, in label order, in one pass.
    public func searchPerClass(_ query: [Float], k: Int, filter: SearchFilter = SearchFilter(), threads: Int = 2) -> [(label: String, hits: [Hit])] {
        let q = normalized(query)
        return groups.filter { filter.label == nil || filter.label == $0.label }.map { group in
            (group.label, scan(group, query: q, k: k, filter: filter, threads: threads).items.map { Hit(id: $0.id, score: $0.score) })
        }
    }

    private func normalized(_ query: [Float]) -> [Float] {
        precondition(query.count == dimension, "query has \(query.count) values, index has \(dimension)")
        var q = query
        Vectors.normalize(&q)
        return q
    }

    /// Top-k of one group, rows split across `threads` workers when the group is large.
    private func scan(_ group: Group, query: [Float], k: Int, filter: SearchFilter, threads: Int) -> TopK {
        let n = group.ids.count, dim = dimension
        let workers = n >= 20_000 ? max(1, threads) : 1
        let chunk = (n + workers - 1) / max(workers, 1)
        let partial = Mutex([TopK](repeating: TopK(k: k), count: workers))
        let checkRecords = filter.split != nil || !filter.excluding.isEmpty
        let vectors = group.vectors, ids = group.ids
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var top = TopK(k: k)
            query.withUnsafeBufferPointer { qp in
                vectors.withUnsafeBufferPointer { vp in
                    let end = min(n, (w + 1) * chunk)
                    var row = w * chunk
                    while row < end {
                        let score = Vectors.dot(qp.baseAddress!, vp.baseAddress! + row * dim, dim)
                        if top.admits(score) {
                            let id = ids[row]
                            if !checkRecords || accepts(id, filter) { top.insert(score: score, id: id) }
                        }
                        row += 1
                    }
                }
            }
            partial.withLock { $0[w] = top }
        }
        var top = TopK(k: k)
        for p in partial.withLock({ $0 }) { top.merge(p) }
        return top
    }

    func accepts(_ id: UInt32, _ filter: SearchFilter) -> Bool {
        if filter.excluding.contains(id) { return false }
        if let split = filter.split, records[Int(id)].split != split { return false }
        return true
    }
}
