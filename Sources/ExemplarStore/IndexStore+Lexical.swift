import ExemplarLexical
import Foundation

/// BM25 postings in the index's LMDB: `lexicon` (term id, UInt32 big-endian → the term in
/// UTF-8) and `postings` (term id → (record id, frequency) pairs, UInt32 little-endian, by
/// record id). Written with the records by a build, extended by online additions; the
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
            var postings: [[LexicalIndex.Posting]] = []
            postings.reserveCapacity(n)
            try txn.forEach("postings") { key, value throws(StoreError) in
                guard key.count == 4, UInt32(bigEndian: key.loadUnaligned(as: UInt32.self)) == UInt32(postings.count),
                      let list = LexicalIndex.decode(value), list.allSatisfy({ Int($0.document) < documentCount }) else {
                    throw .corrupt(path: path, reason: "the postings of term \(postings.count) are unreadable")
                }
                postings.append(list)
            }
            guard postings.count == terms.count else {
                throw .corrupt(path: path, reason: "\(terms.count) lexicon terms but \(postings.count) postings lists")
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

    /// Writes the postings of `terms` (new terms get their lexicon entry too).
    func writeLexicalChanges(_ lexical: LexicalIndex, terms: [UInt32], _ txn: LMDBTransaction) throws(StoreError) {
        for id in terms {
            let key = id.keyBytes
            try txn.put("lexicon", key, Array(lexical.terms[Int(id)].utf8))
            try txn.put("postings", key, LexicalIndex.encode(lexical.postings[Int(id)]))
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
