/// Postings of a tokenized corpus: each term's documents and in-document frequencies.
///
/// Term ids are given in order of first appearance (documents in id order, tokens in text
/// order), which is also the order rank_bm25 sums idf in. Documents are ids `0..<documentCount`;
/// adding documents appends ids and terms, so stored postings only ever grow at the end.
///
/// What a build made is one shared, immutable base; documents appended later (online edits)
/// go to a small overlay of new terms and extra postings, so a copy that appends costs what
/// it adds, not the corpus's size.
public struct LexicalIndex: Sendable, Equatable {
    /// One document's frequency of a term.
    public struct Posting: Sendable, Equatable {
        public var document: UInt32
        public var frequency: UInt32
        public init(document: UInt32, frequency: UInt32) {
            self.document = document
            self.frequency = frequency
        }
    }

    final class Base: Sendable {
        let terms: [String]
        let termIDs: [String: UInt32]
        let postings: [[Posting]]
        init(terms: [String], postings: [[Posting]]) {
            self.terms = terms
            self.postings = postings
            var ids: [String: UInt32] = [:]
            ids.reserveCapacity(terms.count)
            for (id, term) in terms.enumerated() { ids[term] = UInt32(id) }
            termIDs = ids
        }
    }

    private var base: Base
    /// Terms after the base's (ids `base.terms.count...`) and their ids.
    private var addedTerms: [String] = []
    private var addedTermIDs: [String: UInt32] = [:]
    /// Postings appended after the base's, per term id.
    private var addedPostings: [UInt32: [Posting]] = [:]
    /// Documents indexed (ids `0..<documentCount`).
    public private(set) var documentCount = 0

    /// Term id → term.
    public var terms: Terms { Terms(index: self) }
    /// Term id → postings, by increasing document id.
    public var postings: Postings { Postings(index: self) }

    /// The terms by id.
    public struct Terms: RandomAccessCollection, Sendable {
        let index: LexicalIndex
        public var startIndex: Int { 0 }
        public var endIndex: Int { index.base.terms.count + index.addedTerms.count }
        public subscript(id: Int) -> String {
            id < index.base.terms.count ? index.base.terms[id] : index.addedTerms[id - index.base.terms.count]
        }
    }

    /// The postings by term id.
    public struct Postings: RandomAccessCollection, Sendable {
        let index: LexicalIndex
        public var startIndex: Int { 0 }
        public var endIndex: Int { index.base.terms.count + index.addedTerms.count }
        public subscript(id: Int) -> [Posting] {
            let first = id < index.base.postings.count ? index.base.postings[id] : []
            guard let more = index.addedPostings[UInt32(id)] else { return first }
            return first + more
        }
    }

    /// The id of `term`, if it occurs.
    public func termID(_ term: String) -> UInt32? { base.termIDs[term] ?? addedTermIDs[term] }

    public init() {
        base = Base(terms: [], postings: [])
    }

    /// Postings of `documents`, each a token list, ids in order.
    public init(documents: [[String]]) {
        var builder = Builder()
        for tokens in documents { builder.add(tokens) }
        self = builder.index()
    }

    /// Builds a base from documents added one at a time (a build's corpus, tokenized in
    /// chunks, so its token lists never exist all at once): ids and terms as `append` gives them.
    public struct Builder: Sendable {
        private var terms: [String] = []
        private var termIDs: [String: UInt32] = [:]
        private var postings: [[Posting]] = []
        private var documents = 0
        private var counts: [UInt32: UInt32] = [:]
        private var order: [UInt32] = []

        public init() {}

        /// Adds the next document (id = the number added before it).
        public mutating func add(_ tokens: [String]) {
            counts.removeAll(keepingCapacity: true)
            order.removeAll(keepingCapacity: true)
            for token in tokens {
                let id: UInt32
                if let known = termIDs[token] {
                    id = known
                } else {
                    id = UInt32(terms.count)
                    termIDs[token] = id
                    terms.append(token)
                    postings.append([])
                }
                if let c = counts[id] { counts[id] = c + 1 } else { counts[id] = 1; order.append(id) }
            }
            let doc = UInt32(documents)
            for id in order { postings[Int(id)].append(Posting(document: doc, frequency: counts[id]!)) }
            documents += 1
        }

        /// The postings of every document added.
        public func index() -> LexicalIndex {
            LexicalIndex(terms: terms, postings: postings, documentCount: documents)
        }
    }

    /// Stored form: terms and their postings by term id, over `documentCount` documents.
    public init(terms: [String], postings: [[Posting]], documentCount: Int) {
        precondition(terms.count == postings.count)
        base = Base(terms: terms, postings: postings)
        self.documentCount = documentCount
    }

    /// One term of a document and its frequency there.
    public struct TermCount: Sendable, Equatable {
        public var term: UInt32
        public var frequency: UInt32
        public init(term: UInt32, frequency: UInt32) {
            self.term = term
            self.frequency = frequency
        }
    }

    /// What `append` added: each new document's terms in first-appearance order (document
    /// ids from `firstDocument` on), and the ids of the terms it introduced.
    public struct Appended: Sendable {
        public var firstDocument: UInt32
        public var documents: [[TermCount]]
        public var newTerms: Range<UInt32>
        /// Ids of terms whose postings changed, new ones included, in increasing order.
        public var changedTerms: [UInt32] { Set(documents.flatMap { $0.map(\.term) }).sorted() }
    }

    /// Appends documents (ids following the last).
    @discardableResult
    public mutating func append(_ documents: [[String]]) -> Appended {
        let firstTerm = UInt32(terms.count), firstDocument = UInt32(documentCount)
        var out: [[TermCount]] = []
        for tokens in documents {
            let doc = UInt32(documentCount)
            let counted = Self.termCounts(tokens) { token in
                if let known = termID(token) { return known }
                let id = UInt32(base.terms.count + addedTerms.count)
                addedTermIDs[token] = id
                addedTerms.append(token)
                return id
            }
            for t in counted { addedPostings[t.term, default: []].append(Posting(document: doc, frequency: t.frequency)) }
            out.append(counted)
            documentCount += 1
        }
        return Appended(firstDocument: firstDocument, documents: out, newTerms: firstTerm..<UInt32(terms.count))
    }

    /// A document's terms in first-appearance order with their frequencies; `id` gives each
    /// token's term id (assigning new ones as it sees fit), called once per distinct token.
    public static func termCounts<E: Error>(_ tokens: [String], id: (String) throws(E) -> UInt32) throws(E) -> [TermCount] {
        var seen: [String: Int] = [:]
        var out: [TermCount] = []
        for token in tokens {
            if let at = seen[token] {
                out[at].frequency += 1
            } else {
                seen[token] = out.count
                out.append(TermCount(term: try id(token), frequency: 1))
            }
        }
        return out
    }

    public static func == (a: LexicalIndex, b: LexicalIndex) -> Bool {
        a.documentCount == b.documentCount && a.terms.elementsEqual(b.terms) && a.postings.elementsEqual(b.postings)
    }

    /// A term's postings as stored: (document, frequency) pairs as little-endian UInt32s.
    public static func encode(_ list: [Posting]) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(list.count * 8)
        for p in list {
            withUnsafeBytes(of: p.document.littleEndian) { bytes.append(contentsOf: $0) }
            withUnsafeBytes(of: p.frequency.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// Reads `encode`'s bytes; nil when their length is not a multiple of 8.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> [Posting]? {
        guard bytes.count % 8 == 0 else { return nil }
        return (0..<(bytes.count / 8)).map { i in
            Posting(document: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt32.self)),
                    frequency: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i + 4, as: UInt32.self)))
        }
    }
}
