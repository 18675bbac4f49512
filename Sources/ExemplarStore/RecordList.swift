/// An index's records by id (`list[id].id == id`), shared between the snapshots of an index
/// that is edited while it is read.
///
/// The records live in immutable chunks: `appending` makes a new list that shares every
/// existing chunk and adds one for the new records, merging the newest chunks while the one
/// before is no larger than the last (a binary counter: O(log n) chunks, each record copied
/// O(log n) times over all appends), so an edit costs what it adds, not the index's size.
/// Records whose id is in `deleted` read with split `deletedSplit`, so no split holds them.
/// A list opened over a store (`IndexStore.recordList`) reads the build's records from LMDB
/// by id as they are asked for, so opening costs nothing per record and memory holds only
/// the records added since.
public struct RecordList: RandomAccessCollection, Sendable, Equatable {
    /// The split a deleted record reads with.
    public static let deletedSplit = "\u{0}deleted"

    final class Chunk: Sendable {
        let first: Int
        let records: [IndexRecord]
        init(first: Int, records: [IndexRecord]) {
            self.first = first
            self.records = records
        }
    }

    /// Records `0..<lazyCount` read on demand (nil: none).
    private let lazy: (@Sendable (Int) -> IndexRecord)?
    private let lazyCount: Int
    private var chunks: [Chunk]
    public private(set) var count: Int
    /// Ids deleted online: they keep their records (ids are positions) under `deletedSplit`.
    public var deleted: Set<UInt32> = []

    /// `records` in id order (`records[i].id == i`).
    public init(_ records: [IndexRecord] = [], deleted: Set<UInt32> = []) {
        chunks = records.isEmpty ? [] : [Chunk(first: 0, records: records)]
        count = records.count
        self.deleted = deleted
        lazy = nil
        lazyCount = 0
    }

    /// `count` records whose record `id` is `read(id)`, called each time it is asked for.
    public init(count: Int, deleted: Set<UInt32> = [], read: @escaping @Sendable (Int) -> IndexRecord) {
        chunks = []
        self.count = count
        self.deleted = deleted
        lazy = read
        lazyCount = count
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> IndexRecord {
        var record = stored(position)
        if !deleted.isEmpty, deleted.contains(UInt32(position)) { record.split = Self.deletedSplit }
        return record
    }

    /// Record `id` as it was written, with its split even when deleted.
    public func stored(_ id: Int) -> IndexRecord {
        precondition(id >= 0 && id < count, "record \(id) of \(count)")
        if id < lazyCount, let lazy { return lazy(id) }
        if let first = chunks.first, id - first.first < first.records.count { return first.records[id - first.first] }
        var low = 0, high = chunks.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if chunks[mid].first <= id { low = mid } else { high = mid - 1 }
        }
        let chunk = chunks[low]
        return chunk.records[id - chunk.first]
    }

    /// This list with `records` (ids `count...`, in order) after its own.
    public func appending(_ records: [IndexRecord]) -> RecordList {
        guard !records.isEmpty else { return self }
        precondition(records.first!.id == UInt32(count), "appended ids must follow the last")
        var next = self
        next.chunks.append(Chunk(first: count, records: records))
        next.count += records.count
        while next.chunks.count >= 2 {
            let last = next.chunks[next.chunks.count - 1], before = next.chunks[next.chunks.count - 2]
            guard before.records.count <= last.records.count else { break }
            next.chunks.removeLast(2)
            next.chunks.append(Chunk(first: before.first, records: before.records + last.records))
        }
        return next
    }

    public static func == (a: RecordList, b: RecordList) -> Bool {
        a.count == b.count && a.deleted == b.deleted && a.elementsEqual(b)
    }
}
