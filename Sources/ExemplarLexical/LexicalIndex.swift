/// Postings of a tokenized corpus: each term's documents and in-document frequencies.
///
/// Term ids are given in order of first appearance (documents in id order, tokens in text
/// order), which is also the order rank_bm25 sums idf in. Documents are ids `0..<documentCount`;
/// adding documents appends ids and terms, so stored postings only ever grow at the end.
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

    /// Term id → term.
    public private(set) var terms: [String] = []
    /// Term → term id.
    public private(set) var termIDs: [String: UInt32] = [:]
    /// Term id → postings, by increasing document id.
    public private(set) var postings: [[Posting]] = []
    /// Documents indexed (ids `0..<documentCount`).
    public private(set) var documentCount = 0

    public init() {}

    /// Postings of `documents`, each a token list, ids in order.
    public init(documents: [[String]]) {
        append(documents)
    }

    /// Stored form: terms and their postings by term id, over `documentCount` documents.
    public init(terms: [String], postings: [[Posting]], documentCount: Int) {
        precondition(terms.count == postings.count)
        self.terms = terms
        self.postings = postings
        self.documentCount = documentCount
        termIDs.reserveCapacity(terms.count)
        for (id, term) in terms.enumerated() { termIDs[term] = UInt32(id) }
    }

    /// Appends documents (ids following the last); returns the ids of terms whose postings
    /// changed, new ones included, in increasing order.
    @discardableResult
    public mutating func append(_ documents: [[String]]) -> [UInt32] {
        var touched = Set<UInt32>()
        var counts: [UInt32: UInt32] = [:]
        var order: [UInt32] = []
        for tokens in documents {
            let doc = UInt32(documentCount)
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
            for id in order {
                postings[Int(id)].append(Posting(document: doc, frequency: counts[id]!))
                touched.insert(id)
            }
            documentCount += 1
        }
        return touched.sorted()
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
