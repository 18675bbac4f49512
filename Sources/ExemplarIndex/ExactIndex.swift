import Dispatch
import Synchronization
import ExemplarANN
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
    /// How a search ranks: `automatic` uses the approximate partitions where the index has
    /// them (with these nprobe / efSearch), exact scans elsewhere; `exact` always scans.
    public enum Method: Sendable, Equatable {
        case automatic(ANNSearchParameters)
        case exact

        public static let `default` = Method.automatic(ApproximateIndex.defaultSearch)
    }

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
    /// faiss partitions for large (split, label) partitions, when the index was built with them.
    public var approximate: ApproximateIndex?

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
    public func search(_ query: [Float], k: Int, filter: SearchFilter = SearchFilter(), threads: Int = 2,
                       method: Method = .default) -> [Hit] {
        var top = TopK(k: k)
        let q = normalized(query)
        for group in groups where filter.label == nil || filter.label == group.label {
            top.merge(rank(group, query: q, k: k, filter: filter, threads: threads, method: method))
        }
        return top.items.map { Hit(id: $0.id, score: $0.score) }
    }

    /// The `k` most similar records of each label, in label order, in one pass.
    public func searchPerClass(_ query: [Float], k: Int, filter: SearchFilter = SearchFilter(), threads: Int = 2,
                               method: Method = .default) -> [(label: String, hits: [Hit])] {
        let q = normalized(query)
        return groups.filter { filter.label == nil || filter.label == $0.label }.map { group in
            (group.label, rank(group, query: q, k: k, filter: filter, threads: threads, method: method).items.map { Hit(id: $0.id, score: $0.score) })
        }
    }

    /// Top-k of one group: through its faiss partitions when `method` allows and they cover
    /// the search, else an exact scan.
    private func rank(_ group: Group, query: [Float], k: Int, filter: SearchFilter, threads: Int, method: Method) -> TopK {
        guard case .automatic(let parameters) = method, let approximate,
              let parts = approximate.covering(label: group.label, split: filter.split),
              filter.excluding.count <= 4 * k + 256 else {
            return scan(group, query: query, k: k, filter: filter, threads: threads)
        }
        var top = TopK(k: k)
        // SQ8 ranks by 8-bit codes: take 4k candidates for the exact rescoring.
        let fetch = (quantized(parts) ? 4 * k : k) + filter.excluding.count
        for part in parts {
            guard let found = try? query.withUnsafeBufferPointer({ try part.index.search($0, k: min(fetch, part.ids.count), parameters) })
            else { return scan(group, query: query, k: k, filter: filter, threads: threads) }
            for hit in found[0] {
                let id = part.ids[hit.id]
                guard accepts(id, filter) else { continue }
                // Exact score from the stored vector (SQ8 codes are approximate; ties then break by id as in a scan).
                let score = query.withUnsafeBufferPointer { q in vector(at: Int(id)).withUnsafeBufferPointer { Vectors.dot(q.baseAddress!, $0.baseAddress!, dimension) } }
                if top.admits(score) { top.insert(score: score, id: id) }
            }
        }
        // Records added online after the build are not in the partitions: scan them exactly.
        let start = group.ids.partitioningIndex { $0 >= approximate.coveredIDs }
        if start < group.ids.count {
            top.merge(scan(group, query: query, k: k, filter: filter, threads: 1, rows: start..<group.ids.count))
        }
        return top
    }

    private func normalized(_ query: [Float]) -> [Float] {
        precondition(query.count == dimension, "query has \(query.count) values, index has \(dimension)")
        var q = query
        Vectors.normalize(&q)
        return q
    }

    private func quantized(_ parts: [ApproximateIndex.Partition]) -> Bool {
        parts.contains { $0.kind == .ivfSQ8 }
    }

    /// Top-k of one group, rows split across `threads` workers when the group is large.
    private func scan(_ group: Group, query: [Float], k: Int, filter: SearchFilter, threads: Int, rows: Range<Int>? = nil) -> TopK {
        let first = rows?.lowerBound ?? 0
        let n = (rows?.upperBound ?? group.ids.count) - first, dim = dimension
        let workers = n >= 20_000 ? max(1, threads) : 1
        let chunk = (n + workers - 1) / max(workers, 1)
        let partial = Mutex([TopK](repeating: TopK(k: k), count: workers))
        let checkRecords = filter.split != nil || !filter.excluding.isEmpty
        let vectors = group.vectors, ids = group.ids
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var top = TopK(k: k)
            query.withUnsafeBufferPointer { qp in
                vectors.withUnsafeBufferPointer { vp in
                    let end = first + min(n, (w + 1) * chunk)
                    var row = first + w * chunk
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

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate false then true along the array.
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if predicate(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
