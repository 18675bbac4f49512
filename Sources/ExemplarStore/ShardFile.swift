import Foundation

/// The vectors one shard of a sharded embedding wrote (`exemplar build INDEX --shard I/N`):
/// the same append-only, checksummed format as a build's resume cache (`PendingCache`), one
/// file per shard, written by its own process without touching LMDB, so N processes on N
/// machines can write N files into a shared index folder at once. A killed shard keeps every
/// chunk it synced and resumes after them; the build that merges the shards reads them as it
/// reads its own resume cache, then deletes them.
public struct ShardFile: Sendable {
    public let url: URL
    var file: PendingCache { PendingCache(url: url) }

    public init(url: URL) { self.url = url }

    /// Every intact entry's vector by cache key (entries of another width are left out).
    public func vectors(dimension: Int) -> [[UInt8]: [Float]] {
        var out: [[UInt8]: [Float]] = [:]
        for entry in file.read().entries where entry.vector.count == dimension { out[entry.key] = entry.vector }
        return out
    }

    /// The cache keys of every intact entry of `dimension` floats.
    public func keys(dimension: Int) -> Set<[UInt8]> {
        Set(file.read().entries.filter { $0.vector.count == dimension }.map(\.key))
    }

    /// Appends `entries` and syncs them; the first append of a process first cuts off a torn
    /// tail a killed one left (`truncateTail`).
    public func append(_ entries: [(key: [UInt8], vector: ArraySlice<Float>)], truncateTail: Bool) throws(StoreError) {
        try file.append(entries, truncatingTo: truncateTail ? file.read().intactLength : nil)
    }

    public func remove() { file.remove() }
}

extension IndexStore {
    /// `cachedVectors`, also looking in `shards` (after the vector file and the resume cache).
    public func cachedVectors(_ keys: [[UInt8]], dimension: Int, shards: [ShardFile]) throws(StoreError) -> [[Float]?] {
        var found = try cachedVectors(keys, dimension: dimension)
        guard !shards.isEmpty, found.contains(where: { $0 == nil }) else { return found }
        var fromShards: [[UInt8]: [Float]] = [:]
        for shard in shards { fromShards.merge(shard.vectors(dimension: dimension)) { first, _ in first } }
        for i in found.indices where found[i] == nil { found[i] = fromShards[keys[i]] }
        return found
    }
}
