import ExemplarData
import ExemplarCore
import ExemplarEncoder
import ExemplarLexical
import ExemplarStore
import Dispatch
import Foundation
import Synchronization

/// What a build did.
public struct BuildReport: Sendable, Equatable {
    public var records: Int
    /// Texts run through the encoder by this build (the rest came from the cache).
    public var embedded: Int
    public var fromCache: Int
    /// True when data and model were unchanged and nothing was written.
    public var upToDate: Bool
    public var seconds: Double
}

/// Turns records into a complete index: embeds only texts the cache (and the previous build's
/// vector file) lacks, committing the cache in chunks as it goes, then writes the vector file
/// and commits records and manifest in one transaction (`IndexStore.commit`).
public struct IndexBuilder: Sendable {
    public var encoder: SentenceEncoder
    public var batchSize = 32
    public var threads = SentenceEncoder.defaultThreads
    /// Texts embedded between cache commits: what a killed build can lose at most.
    public var chunkSize = 512
    /// Shard files (`build --shard`) whose vectors the build takes before embedding.
    public var shards: [ShardFile] = []
    /// false (`exemplar merge`): a text no cache or shard holds is an error, not embedded.
    public var embedMissing = true
    /// The prompt queries of the index are to be embedded with, when not the documents'
    /// (`encoder.settings`): recorded in the manifest for `query`, `demos` and `serve`.
    public var queryPrompt: Manifest.QueryPrompt?

    public init(encoder: SentenceEncoder) {
        self.encoder = encoder
    }

    /// The text a record is embedded as (`Example.embeddingText`: a pair joined with a space, as LM-BFF does).
    public static func embeddingText(_ record: IndexRecord) -> String {
        Example.embeddingText(record.textA, record.textB)
    }

    /// Fingerprint of the records' content and order.
    public static func fingerprint(_ records: [IndexRecord]) -> String {
        var sha = SHA256()
        for r in records {
            for field in [r.split, r.label, r.textA, r.textB ?? "\u{0}"] {
                sha.update(field)
                sha.update([0x1F])
            }
            sha.update([0x1E])
        }
        return sha.hex()
    }

    /// Whether `manifest`'s BM25 postings cover its records with today's tokenizer (an index
    /// built before postings existed is rebuilt by the next `build`, from its cache).
    static func postingsCurrent(_ manifest: Manifest) -> Bool {
        manifest.lexical?.tokenizer == WordTokenizer.name && manifest.lexical?.documents == manifest.total
    }

    /// The records' BM25 postings: each record's text (`embeddingText`, pairs joined with a
    /// space, as OpenICL joins input columns) through `WordTokenizer`, tokenized on `threads` threads.
    /// Tokenized `chunk` records at a time, so only one chunk's token lists exist at once.
    public static func postings<Records: Collection<IndexRecord>>(_ records: Records, threads: Int = SentenceEncoder.defaultThreads,
                                                                  chunk: Int = 100_000) -> LexicalIndex {
        var builder = LexicalIndex.Builder()
        var start = records.startIndex
        while start != records.endIndex {
            let end = records.index(start, offsetBy: max(1, chunk), limitedBy: records.endIndex) ?? records.endIndex
            for tokens in tokenize(records[start..<end].map(embeddingText), threads: threads) { builder.add(tokens) }
            start = end
        }
        return builder.index()
    }

    /// `WordTokenizer` over `texts`, split across `threads` workers; results in order.
    public static func tokenize(_ texts: [String], threads: Int = SentenceEncoder.defaultThreads) -> [[String]] {
        let workers = max(1, min(threads, texts.count / 2_000 + 1))
        let chunk = (texts.count + workers - 1) / workers
        let parts = Mutex([[[String]]](repeating: [], count: workers))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let tokenizer = WordTokenizer()
            let range = min(texts.count, w * chunk)..<min(texts.count, (w + 1) * chunk)
            let mine = texts[range].map(tokenizer.tokenize)
            parts.withLock { $0[w] = mine }
        }
        return parts.withLock { $0.flatMap { $0 } }
    }

    /// Builds (or resumes, or confirms up to date) the index in `store` from `records`.
    /// `labels` is the label list (its order is the per-class order). `replaceModel` allows
    /// rebuilding an index that was built with another model.
    /// `imported`: vectors from files (`VectorImport`, already checked) instead of embedding;
    /// they are always taken (the build is never up to date), read row by row into the new file.
    public func build(records: [IndexRecord], labels: [String], task: String?, into store: IndexStore,
                      replaceModel: Bool = false, imported: [VectorImport.Block]? = nil,
                      progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> BuildReport {
        let start = Date()
        let model = try encoder.identity()
        let fingerprint = Self.fingerprint(records)
        let previous = try store.manifest()
        if let previous, !replaceModel {
            try IndexEmbedding.checkRebuild(stored: previous.model, given: model, path: store.folder.path)
        }
        if imported == nil, let previous, previous.model == model, previous.queryPrompt == queryPrompt, previous.dataFingerprint == fingerprint,
           previous.labels == labels, Self.postingsCurrent(previous), previous.vectorFile != nil, try !store.hasInterruptedBuild() {
            return BuildReport(records: records.count, embedded: 0, fromCache: records.count, upToDate: true,
                               seconds: Date().timeIntervalSince(start))
        }
        try store.markBuilding()

        var matrix: [Float] = [], keys: [[UInt8]] = [], embedded = 0
        if imported != nil {
            progress?(records.count, records.count)
        } else {
            var embedder = CachedEmbedder(encoder: encoder, modelHash: model.cacheHash)
            embedder.batchSize = batchSize
            embedder.threads = threads
            embedder.chunkSize = chunkSize
            embedder.shards = shards
            embedder.embedMissing = embedMissing
            (matrix, keys, embedded) = try embedder.embedKeyed(records.map(Self.embeddingText), cache: store, progress: progress)
        }
        var countsByLabel: [String: Int] = [:], countsBySplit: [String: Int] = [:]
        for r in records {
            countsByLabel[r.label, default: 0] += 1
            countsBySplit[r.split, default: 0] += 1
        }
        let lexical = Self.postings(records, threads: threads)
        let seconds = Date().timeIntervalSince(start)
        var manifest = Manifest(model: model, task: task, dataFingerprint: fingerprint, labels: labels,
                                countsByLabel: countsByLabel, countsBySplit: countsBySplit, total: records.count,
                                builtAt: Date(), buildSeconds: seconds, embeddedTexts: embedded)
        manifest.queryPrompt = queryPrompt
        manifest.lexical = .init(tokenizer: WordTokenizer.name, documents: records.count, terms: lexical.terms.count)
        if let imported {
            let hash = model.cacheHash
            try store.commit(records: records, vector: VectorImport.rows(imported, count: records.count),
                             key: { IndexStore.cacheKey(modelHash: hash, text: Self.embeddingText(records[$0])) },
                             manifest: manifest, lexical: lexical)
        } else {
            try store.commit(records: records, vectors: matrix, keys: keys, manifest: manifest, lexical: lexical)
        }
        return BuildReport(records: records.count, embedded: embedded, fromCache: records.count - embedded,
                           upToDate: false, seconds: seconds)
    }
}
