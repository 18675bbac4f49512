import ExemplarLexical
import Foundation

/// Online changes to a built index: examples appended and deleted while it is served.
///
/// Appended examples get the next ids; their vectors go to the `vectors` database (the build's
/// `VectorFile` is never rewritten by an edit). A deleted example keeps
/// its record and vector (ids stay positions: `id == index in load order`) and is listed in
/// `meta/deleted` with the manifest generation it belongs to; after a rebuild the manifest's
/// `dataFingerprint` changes, so a stale list is ignored. Each change is one transaction:
/// records, vectors, the deleted list and the manifest move together.
extension IndexStore {
    /// Ids deleted online, when the list belongs to the manifest whose `dataFingerprint` is `generation`.
    public func onlineDeletions(generation: String) throws(StoreError) -> Set<UInt32> {
        guard let bytes = try env.read({ txn throws(StoreError) in try txn.get("meta", Array("deleted".utf8)) }),
              let zero = bytes.firstIndex(of: 0) else { return [] }
        guard String(decoding: bytes[..<zero], as: UTF8.self) == generation else { return [] }
        let ids = bytes[(zero + 1)...]
        guard ids.count % 4 == 0 else {
            throw .corrupt(path: folder.path, reason: "the deleted-example list has \(ids.count) bytes, not a multiple of 4")
        }
        var out = Set<UInt32>()
        var i = ids.startIndex
        while i < ids.endIndex {
            out.insert(UInt32(ids[i]) << 24 | UInt32(ids[i + 1]) << 16 | UInt32(ids[i + 2]) << 8 | UInt32(ids[i + 3]))
            i += 4
        }
        return out
    }

    /// In one transaction: appends `records` (ids following the stored ones, in order) with
    /// their `vectors` (`records.count × dimension`), replaces the deleted list with `deleted`
    /// and writes `manifest`, whose `dataFingerprint` tags the list. `generation` is the data
    /// fingerprint of the state the edit was made against: when the stored manifest has
    /// another (a build replaced the index since), nothing is written and `staleGeneration` thrown.
    /// `lexical`, when given, adds the appended records' postings in the same transaction (see
    /// `LexicalChange`). Returns the manifest as written (`.unread` sets its term count).
    @discardableResult
    public func commitOnline(appending records: [IndexRecord], vectors: [Float], deleted: Set<UInt32>,
                             manifest: Manifest, generation: String,
                             lexical: LexicalChange? = nil) throws(StoreError) -> Manifest {
        let dim = manifest.model.dimension
        precondition(vectors.count == records.count * dim)
        var manifest = manifest
        var list = Array(manifest.dataFingerprint.utf8) + [0]
        for id in deleted.sorted() { list += id.keyBytes }
        let path = folder.path
        try env.write { txn throws(StoreError) in
            let stored = try txn.get("meta", Array("manifest".utf8))
            guard let stored, (try? Manifest(json: stored, path: path))?.dataFingerprint == generation else {
                throw .staleGeneration(path: path)
            }
            for (i, record) in records.enumerated() {
                try txn.put("records", record.id.keyBytes, record.encoded(), append: true)
                try txn.put("vectors", record.id.keyBytes, Self.bytes(vectors[(i * dim)..<((i + 1) * dim)]), append: true)
            }
            switch lexical {
            case .read(let index, let appended)?:
                try writeLexicalChanges(index, appended, txn)
            case .unread(let documents, let termCount)?:
                let terms = try appendLexicalUnread(documents, firstDocument: records.first?.id ?? 0, termCount: termCount, txn)
                manifest.lexical?.terms = terms
            case nil:
                break
            }
            try txn.put("meta", Array("deleted".utf8), list)
            try txn.put("meta", Array("manifest".utf8), Array(manifest.json.text.utf8))
        }
        return manifest
    }

    /// The postings an online addition writes with its records.
    public enum LexicalChange: Sendable {
        /// The postings were read: `index` has the appended documents in, `appended` says what
        /// they added (new terms, one posting per (term, record)).
        case read(index: LexicalIndex, appended: LexicalIndex.Appended)
        /// The postings were not read: the appended records' token lists, written after the
        /// stored `termCount` terms with ids found in the term map (`canAppendPostingsUnread`).
        case unread(documents: [[String]], termCount: Int)
    }
}
