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
        let missing = Self.distinctMissing(texts, keys: keys) { cached[$0] == nil }
        if !embedMissing && !missing.isEmpty {
            throw .shardsMissing(path: store.folder.deletingLastPathComponent().relativePath, rows: keys.indices.filter { cached[$0] == nil })
        }
        try embedInChunks(missing, of: texts, progress: progress) { (chunk, vectors) throws(IndexError) in
            do throws(StoreError) { try store.cache(chunk.enumerated().map { (keys[$0.element], vectors[$0.offset]) }) } catch { throw .store(error) }
            for (i, row) in chunk.enumerated() { cached[row] = Array(vectors[i]) }
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

    /// The rows of the distinct texts `isMissing` selects (the first row of each key), longest
    /// text first so each chunk batches well.
    static func distinctMissing(_ texts: [String], keys: [[UInt8]], isMissing: (Int) -> Bool) -> [Int] {
        var seen = Set<[UInt8]>()
        return keys.indices.filter { isMissing($0) && seen.insert(keys[$0]).inserted }
            .sorted { texts[$0].utf8.count > texts[$1].utf8.count }
    }

    /// Embeds `texts` at `rows`, `chunkSize` at a time, handing each chunk's rows and vectors
    /// to `sink` (which stores them) before the next; `progress(done, rows.count)`.
    func embedInChunks(_ rows: [Int], of texts: [String], progress: (@Sendable (Int, Int) -> Void)?,
                       sink: ([Int], Embeddings) throws(IndexError) -> Void) throws(IndexError) {
        var done = 0
        for start in stride(from: 0, to: rows.count, by: max(1, chunkSize)) {
            let chunk = Array(rows[start..<min(start + chunkSize, rows.count)])
            let base = done, total = rows.count
            let vectors = encoder.encode(chunk.map { texts[$0] }, batchSize: batchSize, threads: threads) { n in
                progress?(base + n, total)
            }
            try sink(chunk, vectors)
            done += chunk.count
        }
    }
}
