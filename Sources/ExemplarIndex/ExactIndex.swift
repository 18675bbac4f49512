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

/// Exact cosine search over an index's vectors, per class.
///
/// Vectors stay as stored (raw, not normalised): a built index's rows are read in place from
/// its memory-mapped `VectorFile`, where each (split, label) partition is one contiguous block;
/// rows added online (and every row of an index built before vector files) are held in memory,
/// also per partition. A row scores `q · v / max(‖v‖, 1e-12)` for the normalised query `q`.
/// A per-class or label-filtered search scans only that label's partitions, a split-filtered
/// one only that split's.
/// Results are deterministic: by score, highest first, ties broken by the lower id.
public struct ExactIndex: Sendable {
    /// How a search ranks: `automatic` uses the approximate partitions where the index has
    /// them (with these nprobe / efSearch; nil: each partition's tuned setting), exact scans
    /// elsewhere; `exact` always scans.
    public enum Method: Sendable, Equatable {
        case automatic(ANNSearchParameters)
        case exact

        public static let `default` = Method.automatic(ANNSearchParameters())
    }

    /// Rows held in memory (online additions, older indexes): raw vectors, norms and ids of one
    /// partition, allocated once and never changed.
    final class OwnedRows: Sendable {
        let vectors: [Float]
        let norms: [Float]
        let ids: [UInt32]
        init(vectors: [Float], norms: [Float], ids: [UInt32]) {
            self.vectors = vectors
            self.norms = norms
            self.ids = ids
        }

        /// A segment over these rows (the arrays are never mutated, so their storage stays
        /// where its pointers point while the segment keeps `self` alive).
        func segment(split: String) -> Segment {
            vectors.withUnsafeBufferPointer { v in
                norms.withUnsafeBufferPointer { n in
                    ids.withUnsafeBufferPointer { i in
                        Segment(split: split, count: ids.count, ids: i.baseAddress!, vectors: v.baseAddress!, norms: n.baseAddress!, owner: self)
                    }
                }
            }
        }
    }

    /// One (split, label) block of rows, in id order.
    ///
    /// Its pointers point into `owner` (a `VectorFile` mapping, or an `OwnedRows` whose arrays
    /// are never mutated), which the segment keeps alive: hence `@unchecked Sendable`.
    struct Segment: @unchecked Sendable {
        let split: String
        let count: Int
        let ids: UnsafePointer<UInt32>
        let vectors: UnsafePointer<Float>
        let norms: UnsafePointer<Float>
        /// The rows' int8 codes and their per-dimension scales (`RowCodes`), when the vector file has them.
        var codes: UnsafePointer<Int8>? = nil
        var scales: UnsafePointer<Float>? = nil
        let owner: AnyObject

        /// The first row whose id is `id` or above.
        func firstRow(atLeast id: UInt32) -> Int {
            var low = 0, high = count
            while low < high {
                let mid = (low + high) / 2
                if ids[mid] >= id { high = mid } else { low = mid + 1 }
            }
            return low
        }

        @inline(__always) func score(_ q: UnsafePointer<Float>, row: Int, dimension: Int) -> Float {
            Vectors.dot(q, vectors + row * dimension, dimension) / max(norms[row], 1e-12)
        }
    }

    /// One label's partitions.
    struct Group: Sendable {
        let label: String
        let segments: [Segment]
    }

    /// Every record, deleted ones under `RecordList.deletedSplit`.
    public internal(set) var records: RecordList
    public let dimension: Int
    private(set) var groups: [Group]
    /// The build's vector file (rows of ids `0..<base.rows`), if the index has one.
    public let base: VectorFile?
    /// The segments of rows held in memory (ids the file does not cover).
    var heldSegments: [Segment] { groups.flatMap { $0.segments.filter { $0.owner is OwnedRows } } }
    /// faiss partitions for large (split, label) partitions, when the index was built with them.
    public var approximate: ApproximateIndex?
    /// Ids no search returns (examples deleted online), whatever the filter.
    public var hidden: Set<UInt32> = []

    /// `filter` with `hidden` excluded too.
    func effective(_ filter: SearchFilter) -> SearchFilter {
        guard !hidden.isEmpty else { return filter }
        var f = filter
        f.excluding.formUnion(hidden)
        return f
    }

    /// An index over `records` and their raw `vectors` (`records.count × dimension`), all held
    /// in memory. `labelOrder` fixes the order of classes in per-class results (default: first seen).
    public init(records: [IndexRecord], vectors: [Float], dimension: Int, labelOrder: [String]? = nil) {
        self.init(records: RecordList(records), base: nil, held: vectors, dimension: dimension, labelOrder: labelOrder)
    }

    /// An index over `records`: ids the vector file `base` covers are read from it; the raw
    /// vectors of the rest (`held`: ids `base.rows..<records.count`, in order) are held in memory.
    public init(records: RecordList, base: VectorFile?, held: [Float], dimension: Int, labelOrder: [String]? = nil) {
        let covered = base?.rows ?? 0
        precondition(covered <= records.count && held.count == (records.count - covered) * dimension,
                     "\(held.count / max(dimension, 1)) held vectors for \(records.count - covered) records")
        self.records = records
        self.dimension = dimension
        self.base = base
        var order = labelOrder ?? []
        var segments: [String: [Segment]] = [:]
        if let base {
            for (i, p) in base.partitions.enumerated() {
                if !order.contains(p.label) { order.append(p.label) }
                segments[p.label, default: []].append(Segment(
                    split: p.split, count: p.rows, ids: base.ids + p.firstRow, vectors: base.vector(row: p.firstRow),
                    norms: base.norms + p.firstRow, codes: base.codes.map { $0 + p.firstRow * dimension },
                    scales: base.codeScales(partition: i), owner: base))
            }
        }
        groups = order.map { Group(label: $0, segments: segments[$0] ?? []) }
        groups = appendingHeld((covered..<records.count).map { records.stored($0) }, vectors: held).groups
    }

    /// This index with `added` (ids `records.count...`, in order) and their raw `vectors`
    /// (`added.count × dimension`): new in-memory segments for just these rows, merged into
    /// the partition's previous held segments only while the one before is no larger (a
    /// binary counter, as `RecordList` does), so an edit costs what it adds.
    public func appending(_ added: [IndexRecord], vectors: [Float]) -> ExactIndex {
        precondition(vectors.count == added.count * dimension)
        var next = self
        next.records = records.appending(added)
        return next.appendingHeld(added, vectors: vectors)
    }

    /// Segments for `added`'s rows (already in `records`), vectors `vectors` in `added`'s order.
    private func appendingHeld(_ added: [IndexRecord], vectors: [Float]) -> ExactIndex {
        var next = self
        guard !added.isEmpty else { return next }
        let dimension = self.dimension
        // Rows per (label, split), in first-seen order.
        var members: [String: [String: [Int]]] = [:], splitOrder: [String: [String]] = [:], labels: [String] = []
        for (i, r) in added.enumerated() {
            if members[r.label] == nil { labels.append(r.label) }
            if members[r.label]?[r.split] == nil { splitOrder[r.label, default: []].append(r.split) }
            members[r.label, default: [:]][r.split, default: []].append(i)
        }
        vectors.withUnsafeBufferPointer { source in
            for label in labels {
                var g = next.groups.firstIndex { $0.label == label } ?? -1
                if g < 0 {
                    next.groups.append(Group(label: label, segments: []))
                    g = next.groups.count - 1
                }
                var segments = next.groups[g].segments
                for split in splitOrder[label] ?? [] {
                    let positions = members[label]![split]!
                    var block = [Float](repeating: 0, count: positions.count * dimension)
                    var norms = [Float](repeating: 0, count: positions.count)
                    for (row, i) in positions.enumerated() {
                        let from = source.baseAddress! + i * dimension
                        for j in 0..<dimension { block[row * dimension + j] = from[j] }
                        norms[row] = Vectors.norm(from, count: dimension)
                    }
                    var rows = OwnedRows(vectors: block, norms: norms, ids: positions.map { added[$0].id })
                    // Merge with this partition's newest held segments while they are no larger.
                    while let last = segments.lastIndex(where: { $0.split == split }),
                          let previous = segments[last].owner as? OwnedRows, previous.ids.count <= rows.ids.count {
                        segments.remove(at: last)
                        rows = OwnedRows(vectors: previous.vectors + rows.vectors, norms: previous.norms + rows.norms,
                                         ids: previous.ids + rows.ids)
                    }
                    segments.append(rows.segment(split: split))
                }
                next.groups[g] = Group(label: label, segments: segments)
            }
        }
        return next
    }

    /// Where held record `id`'s row is: its segment and row.
    private func heldRow(_ id: UInt32) -> (segment: Segment, row: Int)? {
        for group in groups {
            for segment in group.segments where segment.owner is OwnedRows && segment.count > 0
                && segment.ids[0] <= id && id <= segment.ids[segment.count - 1] {
                let row = segment.firstRow(atLeast: id)
                if row < segment.count && segment.ids[row] == id { return (segment, row) }
            }
        }
        return nil
    }

    /// Where record `id`'s raw vector and its norm live (the vector file or a held block).
    private func stored(_ id: Int, _ body: (UnsafePointer<Float>, Float) -> Void) {
        if let base, let row = base.row(ofID: id) { return body(base.vector(row: row), base.norms[row]) }
        guard let (segment, row) = heldRow(UInt32(id)) else { preconditionFailure("no vector for id \(id)") }
        body(segment.vectors + row * dimension, segment.norms[row])
    }

    /// The L2-normalised vector of record `id` (`Vectors.normalize` of the stored vector).
    public func vector(at id: Int) -> [Float] {
        var v = rawVector(at: id)
        Vectors.normalize(&v)
        return v
    }

    /// The stored (raw) vector of record `id`.
    public func rawVector(at id: Int) -> [Float] {
        var v: [Float] = []
        stored(id) { p, _ in v = Array(UnsafeBufferPointer(start: p, count: dimension)) }
        return v
    }

    /// The ids of every record of `split` (every split when nil) that searches can return
    /// (not `hidden`), in id order: read from the partitions, not from the records.
    public func ids(inSplit split: String?) -> [UInt32] {
        var out: [UInt32] = []
        for group in groups {
            for segment in group.segments where split == nil || segment.split == split {
                for row in 0..<segment.count where hidden.isEmpty || !hidden.contains(segment.ids[row]) { out.append(segment.ids[row]) }
            }
        }
        out.sort()
        return out
    }

    /// The (split, label) partitions: labels in order, a label's splits by first appearance
    /// (lowest id), ids ascending; hidden (deleted) ids under `RecordList.deletedSplit`, as
    /// `records` reads them. Made from the segments: no record is read (a 10-million-record
    /// index lists them in well under a second).
    func partitionIDs() -> [(split: String, label: String, rows: [UInt32])] {
        var out: [(split: String, label: String, rows: [UInt32])] = []
        for group in groups {
            var bySplit: [String: [UInt32]] = [:]
            for segment in group.segments {
                let ids = UnsafeBufferPointer(start: segment.ids, count: segment.count)
                if hidden.isEmpty {
                    bySplit[segment.split, default: []].append(contentsOf: ids)
                    continue
                }
                for id in ids { bySplit[hidden.contains(id) ? RecordList.deletedSplit : segment.split, default: []].append(id) }
            }
            var parts = bySplit.filter { !$0.value.isEmpty }.map { (split: $0.key, rows: $0.value) }
            for i in parts.indices where zip(parts[i].rows, parts[i].rows.dropFirst()).contains(where: { $0 > $1 }) { parts[i].rows.sort() }
            parts.sort { $0.rows[0] < $1.rows[0] }
            out += parts.map { (split: $0.split, label: group.label, rows: $0.rows) }
        }
        return out
    }

    /// Labels in per-class result order.
    public var labels: [String] { groups.map(\.label) }

    /// The `k` records most similar to `query` that pass `filter`.
    public func search(_ query: [Float], k: Int, filter: SearchFilter = SearchFilter(), threads: Int = 2,
                       method: Method = .default) -> [Hit] {
        var top = TopK(k: k)
        let q = normalized(query), filter = effective(filter)
        for group in groups where filter.label == nil || filter.label == group.label {
            top.merge(rank(group, query: q, k: k, filter: filter, threads: threads, method: method))
        }
        return top.items.map { Hit(id: $0.id, score: $0.score) }
    }

    /// The `k` most similar records of each label, in label order, in one pass.
    public func searchPerClass(_ query: [Float], k: Int, filter: SearchFilter = SearchFilter(), threads: Int = 2,
                               method: Method = .default) -> [(label: String, hits: [Hit])] {
        let q = normalized(query), filter = effective(filter)
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
        var candidates: [UInt32] = []
        for part in parts {
            let settings = ANNSearchParameters(nprobe: parameters.nprobe ?? part.search.nprobe, efSearch: parameters.efSearch ?? part.search.efSearch)
            guard let found = try? query.withUnsafeBufferPointer({ try part.index.search($0, k: min(fetch, part.ids.count), settings) })
            else { return scan(group, query: query, k: k, filter: filter, threads: threads) }
            candidates += found[0].filter { $0.id < part.ids.count }.map { part.ids[$0.id] }.filter { accepts($0, filter) }
        }
        // The candidates' rows are scattered over the vector file: have them read in at once.
        base?.prefetch(ids: candidates.map(Int.init))
        for id in candidates {
            // Exact score from the stored vector (SQ8 codes are approximate; ties then break by id as in a scan).
            let score = score(query, id: id)
            if top.admits(score) { top.insert(score: score, id: id) }
        }
        // Records added online after the build are not in the partitions: scan them exactly.
        top.merge(scan(group, query: query, k: k, filter: filter, threads: 1, from: approximate.coveredIDs))
        return top
    }

    /// Record `id`'s score against the normalised query `q`, as a scan computes it.
    func score(_ q: [Float], id: UInt32) -> Float {
        var score: Float = 0
        q.withUnsafeBufferPointer { qp in
            stored(Int(id)) { v, norm in score = Vectors.dot(qp.baseAddress!, v, dimension) / max(norm, 1e-12) }
        }
        return score
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

    /// The segments of `group` a search with `filter` reads.
    func segments(_ group: Group, _ filter: SearchFilter) -> [Segment] {
        group.segments.filter { filter.split == nil || $0.split == filter.split }
    }

    /// Top-k of one group's rows (those with ids from `from` on), rows split across `threads`
    /// workers when there are many. Segments with int8 codes are read through them (`scanCoded`).
    private func scan(_ group: Group, query: [Float], k: Int, filter: SearchFilter, threads: Int, from: UInt32 = 0) -> TopK {
        var top = TopK(k: k)
        let dim = dimension, excluding = filter.excluding
        for segment in segments(group, filter) {
            let first = from == 0 ? 0 : segment.firstRow(atLeast: from)
            let n = segment.count - first
            guard n > 0 else { continue }
            let workers = n >= 20_000 ? max(1, threads) : 1
            let chunk = (n + workers - 1) / workers
            let partial = Mutex([TopK](repeating: TopK(k: k), count: workers))
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var mine = TopK(k: k)
                query.withUnsafeBufferPointer { qp in
                    var row = first + w * chunk
                    let end = first + min(n, (w + 1) * chunk)
                    if let codes = segment.codes, let scales = segment.scales, end - row >= Self.codedScanRows {
                        mine = Self.scanCoded(segment, codes: codes, scales: scales, query: qp.baseAddress!, rows: row..<end,
                                              k: k, dimension: dim, excluding: excluding)
                        return
                    }
                    while row < end {
                        let score = segment.score(qp.baseAddress!, row: row, dimension: dim)
                        if mine.admits(score) {
                            let id = segment.ids[row]
                            if excluding.isEmpty || !excluding.contains(id) { mine.insert(score: score, id: id) }
                        }
                        row += 1
                    }
                }
                partial.withLock { $0[w] = mine }
            }
            for p in partial.withLock({ $0 }) { top.merge(p) }
        }
        return top
    }

    /// Rows below which a scan reads float32 vectors directly (the codes' second pass costs more than it saves).
    static let codedScanRows = 512

    /// Top-k of `rows` of `segment`, exactly as a float32 scan finds them, reading the int8
    /// codes first: each block of rows gets code scores `a` (within `bound` of the true
    /// cosine, `RowCodes.Weights`); a row can be in the top-k only if `a + bound` reaches the
    /// k-th best `a − bound` seen so far, and only those rows are rescored from their float32
    /// vectors (the same `Segment.score` a plain scan uses, so the same bits and tie order).
    static func scanCoded(_ segment: Segment, codes: UnsafePointer<Int8>, scales: UnsafePointer<Float>, query: UnsafePointer<Float>,
                          rows: Range<Int>, k: Int, dimension dim: Int, excluding: Set<UInt32>) -> TopK {
        var top = TopK(k: k), approximate = TopK(k: k)
        guard k > 0 else { return top }
        let block = 1024
        let weights = RowCodes.Weights(query: query, scales: scales, dimension: dim), bound = weights.bound
        var scores = [Float](repeating: 0, count: block)
        scores.withUnsafeMutableBufferPointer { a in
            var row = rows.lowerBound
            while row < rows.upperBound {
                let m = min(block, rows.upperBound - row)
                weights.scores(codes + row * dim, rows: m, into: a.baseAddress!)
                for j in 0..<m where approximate.admits(a[j]) {
                    let id = segment.ids[row + j]
                    if excluding.isEmpty || !excluding.contains(id) { approximate.insert(score: a[j], id: id) }
                }
                let threshold = approximate.items.count < k ? -Float.infinity : approximate.items[k - 1].score - 2 * bound
                for j in 0..<m where a[j] >= threshold {
                    let id = segment.ids[row + j]
                    guard excluding.isEmpty || !excluding.contains(id) else { continue }
                    let score = segment.score(query, row: row + j, dimension: dim)
                    if top.admits(score) { top.insert(score: score, id: id) }
                }
                row += m
            }
        }
        return top
    }

    func accepts(_ id: UInt32, _ filter: SearchFilter) -> Bool {
        if filter.excluding.contains(id) { return false }
        if let split = filter.split, records[Int(id)].split != split { return false }  // deleted records match no split
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
