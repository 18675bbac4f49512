import ExemplarStore
import Foundation

/// `exemplar compact`: returns the pages LMDB freed (rebuilds, online edits and deletions
/// leave them in `data.mdb` for reuse; the file never shrinks) by writing a compacted copy
/// of the store and swapping it in. The vector file is immutable, so the copy hard-links it.
///
/// Crash safety: the copy is written in `data.compact/` and synced; then the marker
/// `data.compact.complete` is written, `data/` renamed to `data.precompact/`, `data.compact/`
/// to `data/`, and the marker and the old folder removed. A kill before the marker leaves
/// `data/` as it was (the next compaction removes the partial copy); after it,
/// `IndexFolder.finishCompaction` (run by every open that may write) completes or tidies the
/// swap. Other processes must not have the index open: their reader slots are checked first,
/// and the writer lock is held from the copy to the swap (a writer that waited for it then
/// finds the file replaced and writes nothing).
public enum IndexCompaction {
    /// What a compaction did.
    public struct Report: Sendable {
        /// `data.mdb`'s size before and after, in bytes (the vector file is unchanged).
        public var bytesBefore: Int
        public var bytesAfter: Int
        /// The size of every file of the index, after.
        public var sizeOnDisk: Int
    }

    static func copy(_ folder: URL) -> URL { folder.appendingPathComponent("data.compact", isDirectory: true) }
    static func marker(_ folder: URL) -> URL { folder.appendingPathComponent("data.compact.complete") }
    static func aside(_ folder: URL) -> URL { folder.appendingPathComponent("data.precompact", isDirectory: true) }

    /// Compacts the index in `folder`.
    public static func compact(folder: URL) throws(IndexError) -> Report {
        let files = FileManager.default
        let data = IndexFolder.storeURL(folder), copy = copy(folder)
        let store = try IndexFolder.openStore(folder, create: false)
        do {
            guard try store.manifest() != nil, try !store.hasInterruptedBuild() else {
                throw IndexError.incomplete(path: folder.relativePath)
            }
        } catch let error as IndexError { throw error } catch let error as StoreError { throw .store(error) } catch { throw .store(.corrupt(path: data.path, reason: "\(error)")) }
        let others = store.otherProcesses()
        guard others.isEmpty else { throw .store(.inUse(path: folder.relativePath, processes: others, operation: "compact the index")) }
        // What an interrupted earlier compaction left.
        try? files.removeItem(at: marker(folder))
        try? files.removeItem(at: copy)
        do { try files.createDirectory(at: copy, withIntermediateDirectories: false) } catch {
            throw .store(.io(path: copy.path, operation: "create the folder for the compacted copy", message: error.localizedDescription))
        }
        let before = fileSize(data.appendingPathComponent("data.mdb"))
        do throws(StoreError) {
            try store.writeCompactedCopy(to: copy) { () throws(StoreError) in
                // The other files (the vector file) are never rewritten in place: link them.
                let names = ((try? files.contentsOfDirectory(atPath: data.path)) ?? []).filter { $0 != "data.mdb" && $0 != "lock.mdb" }
                for name in names where link(data.appendingPathComponent(name).path, copy.appendingPathComponent(name).path) != 0 {
                    throw .io(path: copy.appendingPathComponent(name).path, operation: "link \(name) into the compacted copy", message: StoreError.errnoMessage())
                }
                // The copy must open (page check) and hold the same manifest before it replaces anything.
                let same: Bool = {
                    guard let opened = try? IndexStore(folder: copy, readOnly: true) else { return false }
                    return (try? opened.manifest()) == (try? store.manifest())
                }()
                guard same else { throw .corrupt(path: copy.path, reason: "the compacted copy does not read back as the index; the index is unchanged") }
                try? files.removeItem(at: copy.appendingPathComponent("lock.mdb"))
                guard files.createFile(atPath: marker(folder).path, contents: nil) else {
                    throw .io(path: marker(folder).path, operation: "write the compaction marker", message: StoreError.errnoMessage())
                }
                syncFolder(folder)
                guard rename(data.path, aside(folder).path) == 0 else {
                    throw .io(path: data.path, operation: "move the store aside for the compacted copy", message: StoreError.errnoMessage())
                }
                guard rename(copy.path, data.path) == 0 else {
                    let message = StoreError.errnoMessage()
                    _ = rename(aside(folder).path, data.path)
                    throw .io(path: data.path, operation: "move the compacted copy into place", message: message)
                }
                syncFolder(folder)
                IndexFolder.finishCompaction(folder)
            }
        } catch {
            if !files.fileExists(atPath: marker(folder).path) { try? files.removeItem(at: copy) }
            throw .store(error)
        }
        let after = fileSize(data.appendingPathComponent("data.mdb"))
        return Report(bytesBefore: before, bytesAfter: after, sizeOnDisk: store.sizeOnDisk())
    }

    static func fileSize(_ url: URL) -> Int { ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? 0 }

    static func syncFolder(_ folder: URL) {
        let fd = open(folder.path, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
    }
}

extension IndexFolder {
    /// Completes or tidies a compaction a kill interrupted (see `IndexCompaction`): with
    /// `data/` gone and the marker there, the synced copy is moved in; once `data/` is in
    /// place, the marker and the old folder go. A copy without the marker is left for the next
    /// compaction to remove (one may be under way in another process).
    static func finishCompaction(_ folder: URL) {
        let files = FileManager.default
        let data = storeURL(folder), copy = IndexCompaction.copy(folder), marker = IndexCompaction.marker(folder)
        let aside = IndexCompaction.aside(folder)
        if !files.fileExists(atPath: data.path) {
            if files.fileExists(atPath: marker.path), files.fileExists(atPath: copy.appendingPathComponent("data.mdb").path) {
                _ = rename(copy.path, data.path)
            } else if files.fileExists(atPath: aside.path) {
                _ = rename(aside.path, data.path)
            }
        }
        guard files.fileExists(atPath: data.path) else { return }
        if files.fileExists(atPath: marker.path) {
            // A copy still beside data/ was never swapped in (killed before the first rename).
            try? files.removeItem(at: copy)
            try? files.removeItem(at: marker)
        }
        try? files.removeItem(at: aside)
    }
}
