import ExemplarLexical
import ExemplarStore
import Foundation
import Synchronization

/// A built index that takes new and deleted examples while it is searched.
///
/// Readers take an immutable `Snapshot` (a `LoadedIndex` plus the deleted ids) and never see a
/// half-made change: a writer builds the next snapshot aside, commits the change to LMDB in
/// one transaction, then swaps the snapshot in under a lock. Writers are serialised.
///
/// Deleted examples stay in the snapshot's `LoadedIndex` (ids are positions) with their split
/// set to `deletedSplit`, so a support split never includes them; searches must use
/// `Snapshot.filter`, which excludes them.
public final class OnlineIndex: Sendable {
    /// The split a deleted example has in a snapshot.
    public static let deletedSplit = RecordList.deletedSplit

    /// An immutable state of the index.
    public struct Snapshot: Sendable {
        /// Every record ever in the index (deleted ones with split `deletedSplit`) and their vectors.
        public let index: LoadedIndex
        /// Ids deleted online.
        public var deleted: Set<UInt32> { index.deleted }

        /// Live examples.
        public var count: Int { index.records.count - deleted.count }

        /// The record `id`, unless it does not exist or was deleted.
        public func record(_ id: Int) -> IndexRecord? {
            guard id >= 0, id < index.records.count, !deleted.contains(UInt32(id)) else { return nil }
            return index.records[id]
        }

        /// A search filter that also excludes deleted examples.
        public func filter(label: String? = nil, split: String? = nil, excluding: Set<UInt32> = []) -> SearchFilter {
            index.filter(label: label, split: split, excluding: excluding)
        }
    }

    /// A new example to add.
    public struct NewExample: Sendable {
        public var split: String
        public var label: String
        public var textA: String
        public var textB: String?

        public init(split: String, label: String, textA: String, textB: String? = nil) {
            self.split = split
            self.label = label
            self.textA = textA
            self.textB = textB
        }
    }

    public let folder: URL
    private let store: IndexStore
    private let current: Mutex<Snapshot>
    private let writer = Mutex(())

    /// Opens the built index in `folder`, with the online changes made to it since its last
    /// build. An index that cannot be opened for writing (read-only media) is opened read-only:
    /// it is searched as usual, and `add`/`delete` throw `StoreError.readOnly`.
    public init(folder: URL) throws(IndexError) {
        self.folder = folder
        store = try IndexFolder.openStore(folder, create: false, readOnly: !IndexFolder.isWritable(folder))
        current = Mutex(Self.snapshot(folder: folder, stored: try LoadedIndex.read(folder, store: store, lazyRecords: true)))
    }

    /// Whether the index could only be opened read-only (edits are refused).
    public var readOnly: Bool { store.readOnly }

    /// The current state; cheap (arrays are shared, not copied).
    public var snapshot: Snapshot { current.withLock { $0 } }

    /// Loads the stored state when a build replaced the one this index holds (another process
    /// ran `exemplar build` on the folder); true when it did. Online edits of the replaced state
    /// are gone with it (a build rebuilds from the data files). A state taken before its build
    /// had written `ann/` takes the approximate partitions once they are there (also true).
    /// Cheap when nothing changed: one manifest read (and, without partitions, a look for `ann/ann.json`).
    @discardableResult
    public func reloadIfRebuilt() throws(IndexError) -> Bool {
        try writer.withLock { _ throws(IndexError) -> Bool in try reloadLocked() }
    }

    /// `reloadIfRebuilt`, with `writer` held.
    private func reloadLocked() throws(IndexError) -> Bool {
        let stored: Manifest?
        do { stored = try store.manifest() } catch { throw .store(error) }
        guard let stored else { return false }
        guard stored.dataFingerprint != snapshot.index.manifest.dataFingerprint else {
            guard let withPartitions = snapshot.index.withSavedApproximate() else { return false }
            current.withLock { $0 = Snapshot(index: withPartitions) }
            return true
        }
        let next = Self.snapshot(folder: folder, stored: try LoadedIndex.read(folder, store: store, lazyRecords: true))
        current.withLock { $0 = next }
        return true
    }

    /// Adds `examples` with their `vectors` (one per example, the index's dimension); returns
    /// their ids. When a build replaced the index since it was loaded, the new build is loaded
    /// and the examples are added to it.
    public func add(_ examples: [NewExample], vectors: [[Float]]) throws(IndexError) -> [UInt32] {
        precondition(examples.count == vectors.count)
        do {
            return try addOnce(examples, vectors: vectors)
        } catch .store(.staleGeneration) {
            return try addOnce(examples, vectors: vectors)
        }
    }

    private func addOnce(_ examples: [NewExample], vectors: [[Float]]) throws(IndexError) -> [UInt32] {
        try writer.withLock { _ throws(IndexError) -> [UInt32] in
            let old = snapshot
            let base = old.index.records.count
            let records = examples.enumerated().map { i, e in
                IndexRecord(id: UInt32(base + i), split: e.split, label: e.label, textA: e.textA, textB: e.textB, line: 0)
            }
            let flat = vectors.flatMap { $0 }
            var manifest = old.index.manifest
            for r in records {
                manifest.countsByLabel[r.label, default: 0] += 1
                manifest.countsBySplit[r.split, default: 0] += 1
            }
            manifest.total += records.count
            // The postings grow with the records (when the index has them: an index built
            // before postings existed gets them at its next build). Postings not read yet stay
            // unread: the records' terms are looked up in the store's term map.
            var lexical: IndexStore.LexicalChange?
            let read = try old.index.postings.ifRead()
            var unread = false
            if read == nil {
                do throws(StoreError) { unread = try store.canAppendPostingsUnread() } catch { throw .store(error) }
            }
            if unread, let stored = manifest.lexical {
                manifest.lexical?.documents = stored.documents + records.count
                lexical = .unread(documents: IndexBuilder.tokenize(records.map(IndexBuilder.embeddingText), threads: 1),
                                  termCount: stored.terms)
            } else if var index = try loaded(read, or: old) {
                let changed = index.append(IndexBuilder.tokenize(records.map(IndexBuilder.embeddingText), threads: 1))
                manifest.lexical = .init(tokenizer: WordTokenizer.name, documents: index.documentCount, terms: index.terms.count)
                lexical = .read(index: index, appended: changed)
            }
            try commit(old: old, appending: records, vectors: flat, deleted: old.deleted, manifest: manifest, lexical: lexical)
            return records.map(\.id)
        }
    }

    /// The postings `read` gave, else the snapshot's (read now).
    private func loaded(_ read: LexicalIndex??, or old: Snapshot) throws(IndexError) -> LexicalIndex? {
        if let read { return read }
        return try old.index.lexical
    }

    /// Deletes the example `id`; false when there is no such live example.
    public func delete(_ id: UInt32) throws(IndexError) -> Bool {
        try writer.withLock { _ throws(IndexError) -> Bool in
            let old = snapshot
            guard let record = old.record(Int(id)) else { return false }
            var manifest = old.index.manifest
            manifest.countsByLabel[record.label, default: 1] -= 1
            manifest.countsBySplit[record.split, default: 1] -= 1
            if manifest.countsBySplit[record.split] == 0 { manifest.countsBySplit[record.split] = nil }
            manifest.total -= 1
            try commit(old: old, appending: [], vectors: [], deleted: old.deleted.union([id]), manifest: manifest,
                       lexical: nil)
            return true
        }
    }

    /// Persists a change, then swaps in the snapshot that has it. Called with `writer` held.
    private func commit(old: Snapshot, appending records: [IndexRecord], vectors: [Float], deleted: Set<UInt32>,
                        manifest: Manifest, lexical: IndexStore.LexicalChange?) throws(IndexError) {
        var manifest = manifest
        // A fingerprint no data can have: `exemplar build` then rebuilds from the index's data.
        manifest.dataFingerprint = "online:" + UUID().uuidString
        do {
            manifest = try store.commitOnline(appending: records, vectors: vectors, deleted: deleted, manifest: manifest,
                                              generation: old.index.manifest.dataFingerprint, lexical: lexical)
        } catch .staleGeneration {
            // A build replaced the index: serve it from now on, and refuse this edit of the old one.
            _ = try reloadLocked()
            throw .store(.staleGeneration(path: folder.relativePath))
        } catch {
            throw .store(error)
        }
        let postings: LexicalPostings
        switch lexical {
        case .read(let index, _)?: postings = LexicalPostings(index)
        case .unread?: postings = .stored(in: store, manifest: manifest, records: old.index.records.count + records.count)
        case nil: postings = old.index.postings
        }
        // The build's approximate partitions still cover its records; added ones are scanned exactly.
        let approximate = old.index.exact.approximate?.retagged(manifest.dataFingerprint, in: folder)
        let next = Snapshot(index: old.index.applying(added: records, vectors: vectors, deleted: deleted, manifest: manifest,
                                                      lexical: postings, size: store.sizeOnDisk(),
                                                      approximate: approximate))
        current.withLock { $0 = next }
    }

    private static func snapshot(folder: URL, stored: LoadedIndex.Stored) -> Snapshot {
        Snapshot(index: LoadedIndex.assemble(folder: folder, stored: stored))
    }
}
