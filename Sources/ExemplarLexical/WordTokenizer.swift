/// nltk's `word_tokenize(text)` (English), what OpenICL's BM25Retriever tokenizes corpus and
/// queries with: Punkt sentences, then the Treebank rules on each sentence. Case is kept.
public struct WordTokenizer: Sendable {
    /// The name stored in an index's manifest with the postings it made.
    public static let name = "nltk-word-tokenize-3.10.4/punkt-english"

    let sentences: PunktSentenceTokenizer
    let words = TreebankWordTokenizer()

    public init(sentences: PunktSentenceTokenizer = .english) {
        self.sentences = sentences
    }

    /// Reads the English Punkt tables (once per process), so that the first
    /// tokenization does not wait for them: a server calls it in the background at start.
    public static func prepare() {
        _ = PunktSentenceTokenizer.english
    }

    /// The tokens of `text`.
    public func tokenize(_ text: String) -> [String] {
        let t = Array(text.unicodeScalars)
        var tokens: [String] = []
        for span in sentences.spans(t) {
            tokens += words.tokenize(scalars: Array(t[span]))
        }
        return tokens
    }
}
