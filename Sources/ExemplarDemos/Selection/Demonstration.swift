/// One chosen demonstration: a support example, its label group and its similarity to the query.
public struct Demonstration: Sendable, Hashable {
    /// The support example's id.
    public let id: Int
    /// The support example's position in the support set.
    public let position: Int
    /// The label group (index into `DemoLabels.groupNames`).
    public let group: Int
    /// Cosine similarity to the query.
    public let similarity: Float
}

/// A query for demonstration selection.
public struct DemoQuery: Sendable {
    /// The query's embedding (any length equal to the support dimension; normalised here).
    public let vector: [Float]
    /// The support id of the query itself when query and support are the same split
    /// (LM-BFF's train mode): that example is never its own demonstration.
    public let excludedID: Int?
    /// The random stream's key: samples depend only on the seed, this key and the candidates.
    /// Use the query's position in its split, or its id.
    public let key: UInt64
    /// The query's words (`WordTokenizer`, as the postings were made): what the bm25 policy scores.
    public let words: [String]?

    public init(vector: [Float], excludedID: Int? = nil, key: UInt64, words: [String]? = nil) {
        self.vector = vector
        self.excludedID = excludedID
        self.key = key
        self.words = words
    }
}
