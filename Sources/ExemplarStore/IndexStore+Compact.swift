import Foundation

extension IndexStore {
    /// Process ids other than this one that have the store open (a server, a query, a build
    /// between its transactions does not show: see `writeCompactedCopy`).
    public func otherProcesses() -> [Int32] { env.otherProcesses() }

    /// Whether `data.mdb` at the store's folder is still the file this store has open.
    public var isStillAtPath: Bool { env.isStillAtPath() }

    /// Writes a compacted copy of the store's committed state (live pages only) as `data.mdb`
    /// in the empty folder `copy`, synced, holding the writer lock through `afterCopy` (where
    /// the caller swaps the folders): no commit lands on this file meanwhile, and a writer that
    /// waited for the lock finds the file replaced and writes nothing (`StoreError.replaced`).
    public func writeCompactedCopy(to copy: URL, afterCopy: () throws(StoreError) -> Void) throws(StoreError) {
        try env.compactCopy(to: copy.path, afterCopy: afterCopy)
    }
}
