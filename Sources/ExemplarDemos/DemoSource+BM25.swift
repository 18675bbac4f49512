import ExemplarData
import ExemplarLexical

extension DemoSource {
    /// BM25 over the support records `ids` (in support order) from the index's stored postings,
    /// with rank_bm25's defaults; throws naming the policy, and what to do, for a source with no
    /// postings (an LM-BFF folder of `.npy` files, or an index built before postings existed).
    func supportBM25(ids: [Int]) throws(DemoError) -> BM25Okapi {
        guard let index else {
            throw .invalidParameter(.policy, value: "bm25", reason: "needs BM25 postings, and \(name) is an LM-BFF data folder with .npy embeddings, which has none; build an index of the data ('exemplar build INDEX' with an index.json naming it) and give the index instead")
        }
        let stored: LexicalIndex?
        do { stored = try index.lexical } catch {
            throw .invalidParameter(.policy, value: "bm25", reason: "needs the index's BM25 postings, which cannot be read: \(error.description)")
        }
        guard let lexical = stored else {
            throw .invalidParameter(.policy, value: "bm25", reason: "needs BM25 postings, and the index \(name) has none (built by an older version); run 'exemplar build \(name)' to add them (its vectors come from the cache)")
        }
        return BM25Okapi(index: lexical, documents: ids.map { UInt32($0) })
    }
}

extension IndexDemos {
    /// A query's words for BM25: its sentences joined as the records' postings were
    /// (`Example.embeddingText`, OpenICL's space-joined input columns) through nltk's `word_tokenize`.
    public static func words(_ sentences: [String]) -> [String] {
        WordTokenizer().tokenize(Example.embeddingText(sentences))
    }
}
