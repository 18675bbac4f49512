import ExemplarCore
import ExemplarData
import ExemplarIndex
import ExemplarStore

/// Demonstration selection over a built index: the support set is one split of the index
/// (train by default), queries are other records of the index or new texts' vectors.
/// This is the step `exemplar demos` and the service's demonstrations route share.
public struct IndexDemos: Sendable {
    /// Every record (support and queries), ids 0..<n, and their vectors.
    public let records: [IndexRecord]
    public let exact: ExactIndex
    public let supportSplit: String
    public let grouping: DemoLabels
    public var selector: DemoSelector
    /// Renders contexts when a template is given.
    public let renderer: ContextRenderer?
    /// The context order and token budget applied to every sample (none by default).
    public var arrangement = ContextArrangement()

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
    }

    /// Selection over records and vectors held in memory, for example an LM-BFF data folder
    /// with its own embedding files (`{split}_sbert-NAME.npy`).
    public init(exact: ExactIndex, policy: SelectionPolicy, seed: UInt64, supportSplit: String = "train",
                grouping: DemoLabels, renderer: ContextRenderer? = nil) throws(DemoError) {
        let support = exact.records.filter { $0.split == supportSplit }
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

    /// The samples for `query`.
    public func select(_ query: Query) throws -> [Sample] {
        let words = selector.lexical == nil ? nil : Self.words(query.sentences)
        let samples = try selector.select(DemoQuery(vector: query.vector, excludedID: query.id.map(Int.init), key: query.key, words: words))
        return try arrangement.ordered(samples, key: query.key).map { sample in
            let (kept, context) = try arrangement.fit(query: query.sentences, sample: sample, renderer: renderer) { demo in
                Self.sentences(records[demo.id])
            }
            return Sample(demonstrations: kept.map { (record: records[$0.id], similarity: $0.similarity) }, context: context)
        }
    }

    /// A record's sentences: one, or two for a pair.
    public static func sentences(_ r: IndexRecord) -> [String] {
        r.textB.map { [r.textA, $0] } ?? [r.textA]
    }
}
