import ExemplarCore
import ExemplarData
import ExemplarIndex
import ExemplarStore
import Foundation
import Synchronization

/// Demonstration selection over a built index: the support set is one split of the index
/// (train by default), queries are other records of the index or new texts' vectors.
/// This is the step `exemplar demos` and the service's demonstrations route share.
public struct IndexDemos: Sendable {
    /// Every record (support and queries), ids 0..<n, and their vectors.
    public let records: RecordList
    public let exact: ExactIndex
    public let supportSplit: String
    public let grouping: DemoLabels
    public var selector: DemoSelector
    /// Renders contexts when a template is given.
    public private(set) var renderer: ContextRenderer?
    /// The context order and token budget applied to every sample (none by default).
    public var arrangement = ContextArrangement()
    /// Token ids for every context, when the request asks for them (`ids`).
    public var inputEncoder: InputEncoder?
    /// Where draws come from: `select(_:)` for per-query streams, `selectLMBFFStream` for LM-BFF's.
    public var sampling: DemoRequest.Sampling = .perQuery

    /// A query: its sentences, its vector, and its record id when it is in the index.
    public struct Query: Sendable {
        public var sentences: [String]
        public var vector: [Float]
        /// The query's id in the index: excluded from its own demonstrations when it is in the support split.
        public var id: UInt32?
        /// The random stream key: its id for an example of the index, `textKey(sentences)` for
        /// a new text, so a query draws the same samples wherever it stands in a file or request.
        public var key: UInt64

        public init(sentences: [String], vector: [Float], id: UInt32? = nil, key: UInt64) {
            self.sentences = sentences
            self.vector = vector
            self.id = id
            self.key = key
        }

        /// The stream key of a new text: the first 8 bytes of SHA-256 over its sentences, each
        /// followed by a 0 byte.
        public static func textKey(_ sentences: [String]) -> UInt64 {
            var hash = SHA256()
            for sentence in sentences {
                hash.update(sentence)
                hash.update([0])
            }
            return hash.finalize().prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
        }
    }

    /// One sample for one query: the chosen records (in context order) and the rendered context.
    public struct Sample: Sendable {
        public var demonstrations: [(record: IndexRecord, similarity: Float)]
        public var context: RenderedContext?
        /// The context's token ids, with an input encoder.
        public var inputs: ModelInputs?
    }

    /// Selection over records and vectors held in memory, for example an LM-BFF data folder
    /// with its own embedding files (`{split}_sbert-NAME.npy`).
    public init(exact: ExactIndex, policy: SelectionPolicy, seed: UInt64, supportSplit: String = "train",
                grouping: DemoLabels, renderer: ContextRenderer? = nil) throws(DemoError) {
        let support = exact.ids(inSplit: supportSplit).map { exact.records[Int($0)] }
        var vectors: [Float] = []
        vectors.reserveCapacity(support.count * exact.dimension)
        for record in support { vectors += exact.vector(at: Int(record.id)) }
        let set = try SupportSet(ids: support.map { Int($0.id) }, labels: support.map(\.label), grouping: grouping,
                                 vectors: vectors, dimension: exact.dimension)
        self.records = exact.records
        self.exact = exact
        self.supportSplit = supportSplit
        self.grouping = grouping
        self.selector = try DemoSelector(support: set, policy: policy, seed: seed)
        self.renderer = renderer
    }

    /// The query for the record `id` of the index (its stored vector; excluded from its own
    /// demonstrations when it belongs to the support split).
    public func query(record id: UInt32) -> Query {
        let r = records[Int(id)]
        return Query(sentences: Self.sentences(r), vector: Array(exact.vector(at: Int(id))),
                     id: r.split == supportSplit ? id : nil, key: UInt64(id))
    }

    /// Tokenizes the sentences of `records` (the support split's, the queries') once, in every
    /// style the template uses, instead of in every context they appear in (with a tokenizer).
    public mutating func cacheTokens(of records: [IndexRecord], threads: Int = 1) {
        renderer = renderer?.withTokenCache(sentences: records.map(Self.sentences), threads: threads)
    }

    /// The records of the support split.
    public var supportRecords: [IndexRecord] { records.filter { $0.split == supportSplit } }

    /// The samples for `query`, each query from its own stream.
    public func select(_ query: Query) throws -> [Sample] {
        let words = selector.lexical == nil ? nil : Self.words(query.sentences)
        return try samples(query, drawn: try selector.select(demoQuery(query, words: words)))
    }

    /// The samples for `queries` drawn from LM-BFF's one numpy stream, `random` (seeded as
    /// `np.random.seed(seed)`, or where an earlier split left it): for each sample number, one
    /// draw per query in order, as FewShotDataset does for an eval split. Pools and contexts are
    /// computed on `threads` threads; the draws are sequential.
    public func selectLMBFFStream(_ queries: [Query], random: inout NumPyRandom, threads: Int = 1) throws -> [[Sample]] {
        let pools = try Self.concurrentMap(queries.count, threads: threads) { q in try selector.drawPool(demoQuery(queries[q], words: nil)) }
        var drawn = [[[Demonstration]]](repeating: [], count: queries.count)
        for _ in 0..<selector.sampleCount {
            for q in queries.indices { drawn[q].append(selector.draw(from: pools[q], random: &random)) }
        }
        let draws = drawn
        return try Self.concurrentMap(queries.count, threads: threads) { q in try samples(queries[q], drawn: draws[q]) }
    }

    /// Drawn demonstrations as samples: ordered, fitted to the token budget, rendered and encoded.
    func samples(_ query: Query, drawn: [[Demonstration]]) throws -> [Sample] {
        try arrangement.ordered(drawn, key: query.key).map { sample in
            let (kept, context) = try arrangement.fit(query: query.sentences, sample: sample, renderer: renderer) { demo in
                Self.sentences(records[demo.id])
            }
            var inputs: ModelInputs?
            if let inputEncoder, let context {
                do throws(TemplateError) { inputs = try inputEncoder.encode(context) } catch { throw DemoError.template(error) }
            }
            return Sample(demonstrations: kept.map { (record: records[$0.id], similarity: $0.similarity) }, context: context, inputs: inputs)
        }
    }

    private func demoQuery(_ query: Query, words: [String]?) -> DemoQuery {
        DemoQuery(vector: query.vector, excludedID: query.id.map(Int.init), key: query.key, words: words)
    }

    /// `body(0..<count)` on up to `threads` threads, results in order; the first error wins.
    static func concurrentMap<T: Sendable>(_ count: Int, threads: Int, _ body: @Sendable (Int) throws -> T) throws -> [T] {
        let workers = max(1, min(threads, count))
        guard workers > 1 else { return try (0..<count).map(body) }
        let chunk = (count + workers - 1) / workers
        let parts = Mutex([Result<[T], any Error>?](repeating: nil, count: workers))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let part = Result { try (min(count, w * chunk)..<min(count, (w + 1) * chunk)).map(body) }
            parts.withLock { $0[w] = part }
        }
        return try parts.withLock { $0 }.flatMap { try $0!.get() }
    }

    /// A record's sentences: one, or two for a pair.
    public static func sentences(_ r: IndexRecord) -> [String] {
        r.textB.map { [r.textA, $0] } ?? [r.textA]
    }
}
