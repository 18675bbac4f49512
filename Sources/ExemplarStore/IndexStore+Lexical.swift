import ExemplarLexical
import Foundation

/// BM25 postings in the index's LMDB: `lexicon` (term id, UInt32 big-endian → the term in
/// UTF-8) and `postings`: a build writes one entry per term (term id → (record id, frequency)
/// pairs, UInt32 little-endian, by record id); an online addition writes one entry per
/// (term, record) it adds, keyed (term id, record id) big-endian, which LMDB sorts right after
/// the term's own entry, so an edit writes what it adds. Written with the records; the
/// manifest's `lexical` says how many records they cover, so postings an older writer left
/// behind (records added without them) are not used.
extension IndexStore {
    static let lexicalDatabases = ["lexicon", "postings"]

    /// Whether the store has the postings databases (an index built before 0.10 opened read-only may not).
    public var hasLexicalDatabases: Bool { Self.lexicalDatabases.allSatisfy(env.has) }

    /// The stored postings over `documentCount` records, or nil when there are none.
    public func lexicalIndex(documentCount: Int) throws(StoreError) -> LexicalIndex? {
        guard hasLexicalDatabases else { return nil }
        let path = folder.path
        return try env.read { txn throws(StoreError) -> LexicalIndex? in
            let n = try txn.count("lexicon")
            guard n > 0 || documentCount == 0 else { return nil }
            var terms: [String] = []
            terms.reserveCapacity(n)
            try txn.forEach("lexicon") { key, value throws(StoreError) in
                guard key.count == 4, UInt32(bigEndian: key.loadUnaligned(as: UInt32.self)) == UInt32(terms.count),
                      let term = String(validating: value, as: UTF8.self) else {
                    throw .corrupt(path: path, reason: "lexicon entry \(terms.count) is unreadable")
                }
                terms.append(term)
            }
            var postings = [[LexicalIndex.Posting]](repeating: [], count: n)
            var previous = (term: -1, document: -1)
            try txn.forEach("postings") { key, value throws(StoreError) in
                // (term) or (term, record): terms ascending, a term's records ascending.
                let term = key.count >= 4 ? Int(UInt32(bigEndian: key.loadUnaligned(as: UInt32.self))) : n
                guard key.count == 4 || key.count == 8, term < n, let list = LexicalIndex.decode(value),
                      let last = list.last, Int(last.document) < documentCount,
                      term > previous.term || Int(list[0].document) > previous.document else {
                    throw .corrupt(path: path, reason: "the postings of term \(min(term, n)) are unreadable")
                }
                postings[term] += list
                previous = (term, Int(last.document))
            }
            return LexicalIndex(terms: terms, postings: postings, documentCount: documentCount)
        }
    }

    /// Replaces lexicon and postings with `lexical`'s (clears them when nil).
    func writeLexical(_ lexical: LexicalIndex?, _ txn: LMDBTransaction) throws(StoreError) {
        try txn.clear("lexicon")
        try txn.clear("postings")
        guard let lexical else { return }
        for (id, term) in lexical.terms.enumerated() {
            let key = UInt32(id).keyBytes
            try txn.put("lexicon", key, Array(term.utf8), append: true)
            try txn.put("postings", key, LexicalIndex.encode(lexical.postings[id]), append: true)
        }
    }

    /// Writes what `appended` added to `lexical`: the new terms' lexicon entries and one
    /// (term, record) entry per posting.
    func writeLexicalChanges(_ lexical: LexicalIndex, _ appended: LexicalIndex.Appended, _ txn: LMDBTransaction) throws(StoreError) {
        for id in appended.newTerms { try txn.put("lexicon", id.keyBytes, Array(lexical.terms[Int(id)].utf8), append: true) }
        for (i, terms) in appended.documents.enumerated() {
            let document = appended.firstDocument + UInt32(i)
            for t in terms {
                try txn.put("postings", t.term.keyBytes + document.keyBytes,
                            LexicalIndex.encode([LexicalIndex.Posting(document: document, frequency: t.frequency)]))
            }
        }
    }

    /// Checks the postings against `records` records (for `verify`): the lexicon and postings
    /// read back, term ids run 0..<n, every posting names an existing record. Problems in words.
    public func verifyLexical(records: Int, expected: Int?) throws(StoreError) -> [String] {
        guard let expected else { return [] }
        do {
            guard let lexical = try lexicalIndex(documentCount: records) else {
                return ["the manifest lists BM25 postings for \(expected) records, but none are stored"]
            }
            var covered = Set<UInt32>()
            for list in lexical.postings { for p in list { covered.insert(p.document) } }
            if covered.count > expected { return ["postings name \(covered.count) records, the manifest \(expected)"] }
            return []
        } catch .corrupt(_, let reason) {
            return [reason]
        }
    }
}
