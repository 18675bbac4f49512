import ExemplarEncoder
import ExemplarStore
import Foundation

/// Sharded embedding of one index's data: `exemplar build INDEX --shard I/N` embeds rows
/// `I·n/N ..< (I+1)·n/N` of the data (what the index does not already hold) into
/// `INDEX/shards/shard-I-of-N.bin` (`ShardFile`), without creating or writing the index, so
/// N processes (a Kubernetes Indexed Job, a Slurm array, N processes here) can run at once
/// against one shared folder. `exemplar merge INDEX` (or a plain build, which also embeds
/// what is missing) then builds the index from the shards' vectors and deletes the files.
public enum IndexShards {
    /// Shard `index` of `count` (`I/N`, 0-based).
    public struct Shard: Sendable, Equatable, CustomStringConvertible {
        public let index: Int
        public let count: Int

        /// Parses `I/N` with 0 ≤ I < N; nil otherwise.
        public init?(_ text: String) {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 100_000, i >= 0, i < n else { return nil }
            index = i
            count = n
        }

        public var description: String { "\(index)/\(count)" }

        /// The rows of `total` this shard embeds.
        public func rows(of total: Int) -> Range<Int> { (index * total / count)..<((index + 1) * total / count) }
    }

    /// What a shard run did.
    public struct Report: Sendable {
        public var rows: Range<Int>
        /// Distinct texts embedded now, and rows already in the shard file or the index.
        public var embedded: Int
        public var alreadyThere: Int
        public var file: URL
    }

    public static func folder(_ index: URL) -> URL { index.appendingPathComponent("shards", isDirectory: true) }
    static func fileName(_ shard: Shard) -> String { "shard-\(shard.index)-of-\(shard.count).bin" }

    /// The shard files in the index folder (any N).
    public static func files(in index: URL) -> [ShardFile] {
        let dir = folder(index)
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasPrefix("shard-") && $0.hasSuffix(".bin") }.sorted()
            .map { ShardFile(url: dir.appendingPathComponent($0)) }
    }

    /// Deletes the shard files (after a build committed their vectors).
    public static func remove(from index: URL) {
        for file in files(in: index) { file.remove() }
        try? FileManager.default.removeItem(at: folder(index))
    }

    /// Embeds `shard`'s rows of `records` into its file, `chunkSize` texts per synced append.
    public static func embed(_ shard: Shard, records: [IndexRecord], folder: URL, encoder: SentenceEncoder,
                             batchSize: Int, threads: Int, chunkSize: Int,
                             progress: (@Sendable (Int, Int) -> Void)? = nil) throws(IndexError) -> Report {
        let rows = shard.rows(of: records.count)
        let modelHash: String
        do { modelHash = try encoder.identity().cacheHash } catch { throw .store(.io(path: folder.relativePath, operation: "hash the model", message: "\(error)")) }
        let texts = rows.map { IndexBuilder.embeddingText(records[$0]) }
        let keys = texts.map { IndexStore.cacheKey(modelHash: modelHash, text: $0) }
        let dir = self.folder(folder)
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw .store(.io(path: dir.relativePath, operation: "create the shards folder", message: error.localizedDescription))
        }
        let file = ShardFile(url: dir.appendingPathComponent(fileName(shard)))
        var have = Set(file.vectors(dimension: encoder.dimension).keys)
        // What the index already holds (read-only: the store is neither created nor written).
        if FileManager.default.fileExists(atPath: IndexFolder.storeURL(folder).appendingPathComponent("data.mdb").path) {
            let store = try IndexFolder.openStore(folder, create: false, readOnly: true)
            let cached: [[Float]?]
            do { cached = try store.cachedVectors(keys, dimension: encoder.dimension) } catch { throw .store(error) }
            for (i, vector) in cached.enumerated() where vector != nil { have.insert(keys[i]) }
        }
        let missing = CachedEmbedder.distinctMissing(texts, keys: keys) { !have.contains(keys[$0]) }
        var embedder = CachedEmbedder(encoder: encoder, modelHash: modelHash)
        embedder.batchSize = batchSize
        embedder.threads = threads
        embedder.chunkSize = chunkSize
        var first = true
        try embedder.embedInChunks(missing, of: texts, progress: progress) { (chunk, vectors) throws(IndexError) in
            do throws(StoreError) { try file.append(chunk.enumerated().map { (keys[$0.element], vectors[$0.offset]) }, truncateTail: first) } catch { throw .store(error) }
            first = false
        }
        return Report(rows: rows, embedded: missing.count, alreadyThere: rows.count - keys.indices.filter { !have.contains(keys[$0]) }.count,
                      file: file.url)
    }

    /// The rows of `records` (in order) with a vector neither in a shard file nor in the index:
    /// what `exemplar merge` checks before it creates or changes anything.
    public static func missingRows(_ records: [IndexRecord], folder: URL, encoder: SentenceEncoder) throws(IndexError) -> [Int] {
        let modelHash: String
        do { modelHash = try encoder.identity().cacheHash } catch { throw .store(.io(path: folder.relativePath, operation: "hash the model", message: "\(error)")) }
        let keys = records.map { IndexStore.cacheKey(modelHash: modelHash, text: IndexBuilder.embeddingText($0)) }
        var have = Set<[UInt8]>()
        for file in files(in: folder) { have.formUnion(file.keys(dimension: encoder.dimension)) }
        var missing = keys.indices.filter { !have.contains(keys[$0]) }
        if !missing.isEmpty, FileManager.default.fileExists(atPath: IndexFolder.storeURL(folder).appendingPathComponent("data.mdb").path) {
            let store = try IndexFolder.openStore(folder, create: false, readOnly: true)
            let cached: [[Float]?]
            do { cached = try store.cachedVectors(missing.map { keys[$0] }, dimension: encoder.dimension) } catch { throw .store(error) }
            missing = zip(missing, cached).filter { $0.1 == nil }.map(\.0)
        }
        return missing
    }

    /// `rows` (ascending data rows) as ranges, at most a few: "rows 200-399, 800".
    static func describe(_ rows: [Int]) -> String {
        var ranges: [ClosedRange<Int>] = []
        for row in rows {
            if let last = ranges.last, last.upperBound + 1 == row { ranges[ranges.count - 1] = last.lowerBound...row } else { ranges.append(row...row) }
        }
        let shown = ranges.prefix(4).map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
        return "data rows " + shown.joined(separator: ", ") + (ranges.count > 4 ? ", ..." : "")
    }
}
