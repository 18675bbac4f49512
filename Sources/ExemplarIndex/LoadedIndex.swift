import ExemplarLexical
import ExemplarStore
import Foundation
import Synchronization

/// An index folder's layout: `index.json` (the definition) and `data/` (the LMDB store).
public enum IndexFolder {
    /// Where the LMDB files of the index in `folder` live.
    public static func storeURL(_ folder: URL) -> URL { folder.appendingPathComponent("data", isDirectory: true) }

    /// Whether this process may write the index's store (false on read-only media).
    public static func isWritable(_ folder: URL) -> Bool {
        let store = storeURL(folder)
        return access(store.path, W_OK) == 0 && access(store.appendingPathComponent("data.mdb").path, W_OK) == 0
    }

    /// Opens the index's store, creating it when `create` is set; `readOnly` writes nothing.
    public static func openStore(_ folder: URL, create: Bool, readOnly: Bool = false) throws(IndexError) -> IndexStore {
        let url = storeURL(folder)
        if access(folder.path, W_OK) == 0 {
            finishCompaction(folder)
            finishRebuild(folder)
        }
        if !create && !FileManager.default.fileExists(atPath: url.appendingPathComponent("data.mdb").path) {
            let hasDefinition = FileManager.default.fileExists(atPath: IndexDefinition.file(in: folder).path)
            throw .notAnIndex(path: folder.relativePath, reason: hasDefinition
                ? "it has not been built; run 'exemplar build \(folder.relativePath)'"
                : "no index.json or built data in it")
        }
        do { return try IndexStore(folder: url, readOnly: readOnly && !create) } catch { throw .store(error) }
    }
}

/// A built index opened for search: its manifest and records in memory, the build's vectors
/// mapped from its `VectorFile` (online additions' vectors in memory).
public struct LoadedIndex: Sendable {
    public let folder: URL
    public let manifest: Manifest
    public let exact: ExactIndex
    /// A build started after this state was committed and did not finish; the previous
    /// complete state is what is loaded.
    public let interruptedBuild: Bool
    public let sizeOnDisk: Int
    /// Ids deleted online by `exemplar serve` (their records carry `OnlineIndex.deletedSplit`,
    /// so no split holds them); searches exclude them through `filter`.
    public var deleted: Set<UInt32> = []
    /// BM25 postings of every record (document id = record id), read from the store the first
    /// time they are asked for (an index opens without reading them); nil for an index built
    /// before postings existed (`exemplar build` adds them). Throws when they cannot be read.
    public var lexical: LexicalIndex? {
        get throws(IndexError) { try postings.value() }
    }
    let postings: LexicalPostings

    /// Opens the index in `folder`. Throws when it was never completely built.
    /// `lazyRecords`: records are read from the store by id when asked for (what a search that
    /// returns a few hits wants: opening costs the same at 10 million records as at 10),
    /// instead of all at once (what a command that reads most of them wants).
    public static func open(_ folder: URL, lazyRecords: Bool = false) throws(IndexError) -> LoadedIndex {
        let store = try IndexFolder.openStore(folder, create: false, readOnly: true)
        return assemble(folder: folder, stored: try read(folder, store: store, lazyRecords: lazyRecords))
    }

    /// The index in `folder` read through `store`, already open (LMDB must not have one file
    /// open twice in a process: closing either environment would drop the other's locks).
    public static func open(_ folder: URL, store: IndexStore) throws(IndexError) -> LoadedIndex {
        let stored = try read(folder, store: store)
        return assemble(folder: folder, stored: stored)
    }

    /// What an index's store holds: the last complete build (its vector file), the raw vectors
    /// of records the file does not hold (ids `base.rows...`) and the ids deleted online.
    struct Stored {
        var manifest: Manifest
        var records: RecordList
        var base: VectorFile?
        var held: [Float]
        var deleted: Set<UInt32>
        var interrupted: Bool
        var size: Int
        var lexical: LexicalPostings
    }

    /// Reads `store` (the index in `folder`). Throws when it was never completely built.
    /// `lazyRecords`: records are read from the store by id when asked for (the store stays
    /// open as long as the index), instead of all at once.
    static func read(_ folder: URL, store: IndexStore, lazyRecords: Bool = false) throws(IndexError) -> Stored {
        do {
            let interrupted = try store.hasInterruptedBuild()
            guard let manifest = try store.manifest() else {
                if interrupted { throw IndexError.incomplete(path: folder.relativePath) }
                throw IndexError.notAnIndex(path: folder.relativePath, reason: "it has not been built; run 'exemplar build \(folder.relativePath)'")
            }
            let deleted = try store.onlineDeletions(generation: manifest.dataFingerprint)
            let records = lazyRecords ? try store.recordList(deleted: deleted) : RecordList(try store.records(), deleted: deleted)
            let base = try store.vectorFile(for: manifest)
            let covered = base?.rows ?? 0
            guard covered <= records.count else {
                throw StoreError.corrupt(path: IndexFolder.storeURL(folder).relativePath,
                                         reason: "the vector file has \(covered) rows for \(records.count) records")
            }
            let held = try store.heldVectors(from: covered, count: records.count - covered, dimension: manifest.model.dimension)
            // Postings count only when they cover every stored record (an older version's online
            // additions would have left them short).
            let lexical = LexicalPostings.stored(in: store, manifest: manifest, records: records.count)
            return Stored(manifest: manifest, records: records, base: base, held: held, deleted: deleted,
                          interrupted: interrupted, size: store.sizeOnDisk(), lexical: lexical)
        } catch let error as IndexError {
            throw error
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            throw .store(.corrupt(path: folder.relativePath, reason: "\(error)"))
        }
    }

    /// An index over what `stored` holds; the `deleted` records get `OnlineIndex.deletedSplit`,
    /// so no split holds them, and no search returns them (`ExactIndex.hidden`).
    /// `approximate`: partitions carried over from the previous snapshot; nil reads `ann/`
    /// when it belongs to this manifest (a damaged one is left out: searches are then exact,
    /// and `approximateProblem` says why).
    static func assemble(folder: URL, stored: Stored, approximate: ApproximateIndex? = nil) -> LoadedIndex {
        let manifest = stored.manifest, deleted = stored.deleted
        var exact = ExactIndex(records: stored.records, base: stored.base, held: stored.held,
                               dimension: manifest.model.dimension, labelOrder: manifest.labels)
        exact.hidden = deleted
        var problem: String?
        if let approximate {
            exact.approximate = approximate
        } else {
            (exact.approximate, problem) = savedApproximate(folder: folder, exact: exact, fingerprint: manifest.dataFingerprint)
        }
        var loaded = LoadedIndex(folder: folder, manifest: manifest, exact: exact, interruptedBuild: stored.interrupted,
                                 sizeOnDisk: stored.size, deleted: deleted, postings: stored.lexical)
        loaded.approximateProblem = problem
        return loaded
    }

    /// The partitions `ann/` holds for the build with `fingerprint` (nil when it has none for
    /// it: absent, or another build's), or why they cannot be used (a damaged file).
    static func savedApproximate(folder: URL, exact: ExactIndex, fingerprint: String) -> (ApproximateIndex?, String?) {
        do { return (try ApproximateIndex.read(folder: folder, exact: exact, fingerprint: fingerprint), nil) }
        catch { return (nil, error.description) }
    }

    /// Why saved approximate partitions could not be used (a damaged `ann/` file), if so.
    public var approximateProblem: String?

    /// This state with the approximate partitions `ann/` now holds for its manifest, when it
    /// has none yet and `ann/` has them (a build writes them after the records, so a reload
    /// between the two took none); nil when there is nothing new. A damaged `ann/` gives a
    /// state that says so (`approximateProblem`), so it is not read again.
    func withSavedApproximate() -> LoadedIndex? {
        guard exact.approximate == nil, approximateProblem == nil else { return nil }
        var exact = self.exact, problem: String?
        (exact.approximate, problem) = Self.savedApproximate(folder: folder, exact: exact, fingerprint: manifest.dataFingerprint)
        guard exact.approximate != nil || problem != nil else { return nil }
        var next = LoadedIndex(folder: folder, manifest: manifest, exact: exact, interruptedBuild: interruptedBuild,
                               sizeOnDisk: sizeOnDisk, deleted: deleted, postings: postings)
        next.approximateProblem = problem
        return next
    }

    /// Every record by id; deleted ones read with split `RecordList.deletedSplit`.
    public var records: RecordList { exact.records }

    /// This state after an online edit: `added` records (ids following the last) with their
    /// raw `vectors`, `deleted` the ids deleted so far, and the edit's `manifest`, postings
    /// and size. Shares everything it does not change with `self` (`ExactIndex.appending`,
    /// `RecordList.appending`), so it costs what the edit adds.
    func applying(added: [IndexRecord], vectors: [Float], deleted: Set<UInt32>, manifest: Manifest,
                  lexical: LexicalPostings, size: Int, approximate: ApproximateIndex?) -> LoadedIndex {
        var exact = self.exact.appending(added, vectors: vectors)
        exact.records.deleted = deleted
        exact.hidden = deleted
        exact.approximate = approximate
        var next = LoadedIndex(folder: folder, manifest: manifest, exact: exact, interruptedBuild: interruptedBuild,
                               sizeOnDisk: size, deleted: deleted, postings: lexical)
        next.approximateProblem = approximateProblem
        return next
    }
    /// The build's vector file, when the index has one (format 2).
    public var base: VectorFile? { exact.base }

    /// A search filter that also leaves out examples deleted online.
    public func filter(label: String? = nil, split: String? = nil, excluding: Set<UInt32> = []) -> SearchFilter {
        SearchFilter(label: label, split: split, excluding: excluding.union(deleted))
    }
}

/// An index's BM25 postings, read from its store on first use and then kept (a served
/// 10-million-record index opens, and searches densely, without them in memory).
/// Threading: the first caller reads them under the lock; others wait and share the result.
final class LexicalPostings: Sendable {
    private enum State { case unread, read(LexicalIndex?), failed(IndexError) }
    private let state: Mutex<State>
    private let read: @Sendable () throws(StoreError) -> LexicalIndex?

    /// Postings already at hand (or none).
    init(_ postings: LexicalIndex?) {
        state = Mutex(.read(postings))
        read = { nil }
    }

    /// Postings `read` when first asked for.
    init(read: @escaping @Sendable () throws(StoreError) -> LexicalIndex?) {
        state = Mutex(.unread)
        self.read = read
    }

    /// The postings `store` holds for the state `manifest` describes (`records` records), read
    /// when first asked for; none when they do not cover every record (an older version's
    /// online additions would have left them short).
    static func stored(in store: IndexStore, manifest: Manifest, records: Int) -> LexicalPostings {
        guard let lexical = manifest.lexical, lexical.tokenizer == WordTokenizer.name, lexical.documents == records else {
            return LexicalPostings(nil)
        }
        return LexicalPostings { () throws(StoreError) in try store.lexicalIndex(documentCount: records, termCount: lexical.terms) }
    }

    /// The postings when they have been read (`.some(nil)`: there are none), nil when not yet.
    func ifRead() throws(IndexError) -> LexicalIndex?? {
        let result: Result<LexicalIndex??, IndexError> = state.withLock { state in
            switch state {
            case .read(let postings): return .success(.some(postings))
            case .failed(let error): return .failure(error)
            case .unread: return .success(nil)
            }
        }
        return try result.get()
    }

    func value() throws(IndexError) -> LexicalIndex? {
        let result: Result<LexicalIndex?, IndexError> = state.withLock { state in
            switch state {
            case .read(let postings): return .success(postings)
            case .failed(let error): return .failure(error)
            case .unread:
                do throws(StoreError) {
                    let postings = try read()
                    state = .read(postings)
                    return .success(postings)
                } catch {
                    state = .failed(.store(error))
                    return .failure(.store(error))
                }
            }
        }
        return try result.get()
    }
}
