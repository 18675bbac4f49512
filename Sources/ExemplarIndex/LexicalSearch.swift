import ExemplarKernels
import ExemplarLexical
import ExemplarStore

/// How a search scores examples.
public enum SearchMode: String, Sendable, CaseIterable {
    /// Cosine similarity of the embeddings (the default).
    case dense
    /// Okapi BM25 over the words (`BM25Okapi`, as rank_bm25 and OpenICL's BM25Retriever).
    case bm25
    /// `weight · BM25 scaled + (1 − weight) · cosine`, BM25 min-max scaled per query over the corpus.
    case hybrid
}

/// Lexical and hybrid search over a loaded index: BM25 over the stored postings, the corpus
/// being the live records of a split (or all live records), as OpenICL scores its index split.
public struct LexicalSearch: Sendable {
    public let index: LoadedIndex
    /// The corpus, in record order.
    public let corpus: [UInt32]
    public let bm25: BM25Okapi
    let tokenizer = WordTokenizer()

    /// BM25 over the live records of `split` (all live records when nil). Throws when the
    /// index has no postings (built before they existed).
    public init(index: LoadedIndex, split: String?) throws(IndexError) {
        guard let lexical = try index.lexical else {
            throw .notAnIndex(path: index.folder.relativePath,
                              reason: "it has no BM25 postings (built by an older version); run 'exemplar build \(index.folder.relativePath)' to add them (its vectors come from the cache)")
        }
        self.index = index
        corpus = index.exact.ids(inSplit: split)
        bm25 = BM25Okapi(index: lexical, documents: corpus)
    }

    /// The words of a query text, as the corpus was tokenized.
    public func tokens(_ text: String) -> [String] { tokenizer.tokenize(text) }

    /// Scores of every corpus record for a query: BM25, or the hybrid mix (`vector` needed).
    /// `weight` is BM25's share in hybrid mode; BM25 is min-max scaled over the corpus per
    /// query (all equal: 0) and cosine taken as is.
    public func scores(text: String, vector: [Float]?, mode: SearchMode, weight: Double = 0.5) -> [Double] {
        let lexical = bm25.scores(tokens(text))
        guard mode == .hybrid, let vector else { return lexical }
        var unit = vector
        Vectors.normalize(&unit)
        return BM25Okapi.hybrid(lexical, weight: weight) { position in
            Double(unit.withUnsafeBufferPointer { q in
                index.exact.vector(at: Int(corpus[position])).withUnsafeBufferPointer { v in Vectors.dot(q.baseAddress!, v.baseAddress!, unit.count) }
            })
        }
    }

    /// The `k` best records (of each label with `perClass`, in label order) for the query, by
    /// score, ties by lower id; `filter`'s label and exclusions apply (its split chose the corpus).
    public func search(text: String, vector: [Float]? = nil, mode: SearchMode, weight: Double = 0.5, k: Int,
                       perClass: Bool, filter: SearchFilter) -> [(label: String, hits: [Hit])] {
        let scores = scores(text: text, vector: vector, mode: mode, weight: weight)
        var ranked: [(score: Double, id: UInt32)] = []
        ranked.reserveCapacity(corpus.count)
        for (position, id) in corpus.enumerated() where !filter.excluding.contains(id) {
            if let label = filter.label, index.records[Int(id)].label != label { continue }
            ranked.append((scores[position], id))
        }
        ranked.sort { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
        func hits(_ items: some Sequence<(score: Double, id: UInt32)>) -> [Hit] { items.map { Hit(id: $0.id, score: Float($0.score)) } }
        guard perClass else { return [("", hits(ranked.prefix(k)))] }
        return index.exact.labels.filter { filter.label == nil || filter.label == $0 }.map { label in
            (label, hits(ranked.lazy.filter { self.index.records[Int($0.id)].label == label }.prefix(k)))
        }
    }
}
