import ExemplarEncoder
import ExemplarStore

/// Embeds texts through a store's embedding cache: only texts the cache lacks (under this
/// model's weights hash) reach the encoder, each distinct text once, and new vectors are
/// committed to the cache every `chunkSize` texts, so an interrupted run keeps its work.
public struct CachedEmbedder: Sendable {
    public var encoder: SentenceEncoder
    /// What keys the encoder's vectors in the cache (`SentenceEncoder.identity().cacheHash`:
    /// the weights hash, mixed with the prompt and dimension when there are any).
    public var modelHash: String
    public var batchSize = 32
    public var threads = SentenceEncoder.defaultThreads
    public var chunkSize = 512

    public init(encoder: SentenceEncoder, modelHash: String) {
        self.encoder = encoder
        self.modelHash = modelHash
    }

    /// Shard files (`exemplar build --shard`) to take vectors from before embedding.
    public var shards: [ShardFile] = []
    /// Whether texts no cache or shard holds are embedded; false (`exemplar merge`) throws
    /// `IndexError.shardsMissing` with their rows instead.
    public var embedMissing = true

    /// `texts.count × dimension` floats in text order, and how many distinct texts were embedded.
    /// `progress(done, total)` counts texts embedded out of those missing from the cache.
    public func embed(_ texts: [String], cache store: IndexStore,
                      progress: (@Sendable (Int, Int) -> Void)? = nil) throws(IndexError) -> (vectors: [Float], embedded: Int) {
        let result = try embedKeyed(texts, cache: store, progress: progress)
        return (result.vectors, result.embedded)
    }

    /// `embed`, with each text's cache key.
    public func embedKeyed(_ texts: [String], cache store: IndexStore,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) throws(IndexError) -> (vectors: [Float], keys: [[UInt8]], embedded: Int) {
        let dim = encoder.dimension
        let keys = texts.map { IndexStore.cacheKey(modelHash: modelHash, text: $0) }
        var cached: [[Float]?]
        do { cached = try store.cachedVectors(keys, dimension: dim, shards: shards) } catch { throw .store(error) }
        // Distinct missing texts, longest first so each chunk batches well.
        var seen = Set<[UInt8]>()
        let missing = keys.indices.filter { cached[$0] == nil && seen.insert(keys[$0]).inserted }
            .sorted { texts[$0].utf8.count > texts[$1].utf8.count }
        if !embedMissing && !missing.isEmpty {
            throw .shardsMissing(path: store.folder.deletingLastPathComponent().relativePath, rows: keys.indices.filter { cached[$0] == nil })
        }
        var done = 0
        for chunkStart in stride(from: 0, to: missing.count, by: max(1, chunkSize)) {
            let chunk = Array(missing[chunkStart..<min(chunkStart + chunkSize, missing.count)])
            let base = done, total = missing.count
            let vectors = encoder.encode(chunk.map { texts[$0] }, batchSize: batchSize, threads: threads) { n in
                progress?(base + n, total)
            }
            do { try store.cache(chunk.enumerated().map { (keys[$0.element], vectors[$0.offset]) }) } catch { throw .store(error) }
            for (i, row) in chunk.enumerated() { cached[row] = Array(vectors[i]) }
            done += chunk.count
        }
        // Repeated texts were embedded once above: fill their other rows.
        var byKey: [[UInt8]: [Float]] = [:]
        for (i, v) in cached.enumerated() where v != nil { byKey[keys[i]] = v }
        var matrix = [Float]()
        matrix.reserveCapacity(texts.count * dim)
        for i in texts.indices {
            guard let v = cached[i] ?? byKey[keys[i]] else {
                throw .store(.corrupt(path: store.folder.path, reason: "no vector for text \(i) after embedding"))
            }
            matrix += v
        }
        return (matrix, keys, missing.count)
    }
}
