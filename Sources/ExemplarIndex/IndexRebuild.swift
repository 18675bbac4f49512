import ExemplarStore
import Foundation

/// `exemplar build --rebuild`: a damaged index rebuilt from its data files, reusing the cached
/// vectors of the damaged store that read back whole and the rows of its vector file whose
/// checksums hold.
///
/// The new store is built in `data.rebuild/` beside the damaged `data/`, then swapped in: the
/// damaged store is kept as `data.damaged-<time>/` for the user to delete. A kill at any
/// moment leaves either the damaged store in place (the next `--rebuild` starts over) or the
/// finished one (`IndexFolder.finishRebuild` completes a swap a kill interrupted). When LMDB
/// cannot read the damaged cache (its assertion ends the process), the `copying` marker stays,
/// and the next `--rebuild` goes without the cache.
public enum IndexRebuild {
    /// What a rebuild did.
    public struct Report: Sendable {
        public var build: BuildReport
        /// Cached vectors taken over from the damaged store, and those left out as unreadable.
        public var reused: Int
        public var unreadable: Int
        /// Where the damaged store was kept, when there was one.
        public var damagedKeptAt: URL?
    }

    static func fresh(_ folder: URL) -> URL { folder.appendingPathComponent("data.rebuild", isDirectory: true) }
    static func marker(_ folder: URL) -> URL { fresh(folder).appendingPathComponent("copying") }

    public static func rebuild(folder: URL, records: [IndexRecord], labels: [String], task: String?, builder: IndexBuilder,
                               progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Report {
        let files = FileManager.default
        let damaged = IndexFolder.storeURL(folder)
        let fresh = fresh(folder)
        // A copy that died reading the damaged cache leaves its marker: go without the cache this time.
        let cacheCrashedBefore = files.fileExists(atPath: marker(folder).path)
        try? files.removeItem(at: fresh)
        try files.createDirectory(at: fresh, withIntermediateDirectories: true)
        // The new store is closed (its scope ends) before the folders are renamed.
        let (report, reused, unreadable) = try { () throws -> (BuildReport, Int, Int) in
            var reused = 0, unreadable = 0
            let store = try IndexStore(folder: fresh)
            if !cacheCrashedBefore, files.fileExists(atPath: damaged.appendingPathComponent("data.mdb").path) {
                _ = files.createFile(atPath: marker(folder).path, contents: nil)
                // A store that cannot even be opened (truncated, bad meta pages) gives no cache.
                if let old = try? IndexStore(folder: damaged, readOnly: true, allowDamaged: true),
                   let counts = try? store.copyCache(from: old, dimension: builder.encoder.dimension) {
                    (reused, unreadable) = counts
                }
                try files.removeItem(at: marker(folder))
            }
            let report = try builder.build(records: records, labels: labels, task: task, into: store, replaceModel: true,
                                           progress: progress)
            return (report, reused, unreadable)
        }()
        var kept: URL?
        if files.fileExists(atPath: damaged.path) {
            // A name no earlier rebuild took (two can happen within a second).
            let stamp = Int(Date().timeIntervalSince1970)
            let aside = (0...).lazy.map { folder.appendingPathComponent("data.damaged-\(stamp)" + ($0 == 0 ? "" : "-\($0)"), isDirectory: true) }
                .first { !files.fileExists(atPath: $0.path) }!
            try files.moveItem(at: damaged, to: aside)
            kept = aside
        }
        try files.moveItem(at: fresh, to: damaged)
        return Report(build: report, reused: reused, unreadable: unreadable, damagedKeptAt: kept)
    }
}

extension IndexFolder {
    /// Completes a `--rebuild` swap a kill interrupted: `data/` gone, the finished `data.rebuild/` there.
    static func finishRebuild(_ folder: URL) {
        let files = FileManager.default
        let store = storeURL(folder), fresh = IndexRebuild.fresh(folder)
        guard !files.fileExists(atPath: store.path), files.fileExists(atPath: fresh.appendingPathComponent("data.mdb").path),
              !files.fileExists(atPath: IndexRebuild.marker(folder).path) else { return }
        // The check's environment is closed (its scope ends) before the caller opens the moved store.
        let complete: Bool = {
            guard let candidate = try? IndexStore(folder: fresh, readOnly: true) else { return false }
            return (try? candidate.manifest()) != nil && (try? candidate.hasInterruptedBuild()) == false
        }()
        if complete { try? files.moveItem(at: fresh, to: store) }
    }
}
