import ExemplarCore
import ExemplarLexical
import Foundation

/// BM25 postings in the index's LMDB: `lexicon` (term id, UInt32 big-endian → the term in
/// UTF-8) and `postings`: a build writes one entry per term (term id → (record id, frequency)
/// pairs, UInt32 little-endian, by record id); an online addition writes one entry per
/// (term, record) it adds, keyed (term id, record id) big-endian, which LMDB sorts right after
/// the term's own entry, so an edit writes what it adds. Written with the records; the
/// manifest's `lexical` says how many records (and terms) they cover, so postings an older writer
/// left behind (records added without them), or a later edit's, are not used.
///
/// `terms` maps each term (UTF-8; one longer than `maxTermKey` bytes as 0xFF + its SHA-256) to
/// its id, so an online addition finds its tokens' ids without reading the lexicon: an edit
/// costs what it adds even while the postings have not been read. An index whose `terms` does
/// not list every lexicon entry (built before 0.14) has its postings read for an addition.
extension IndexStore {
    static let lexicalDatabases = ["lexicon", "postings"]
    static let termsDatabase = "terms"
    /// Longest term stored as its own key (LMDB keys are at most 511 bytes).
    static let maxTermKey = 480

    /// Whether the store has the postings databases (an index built before 0.10 opened read-only may not).
    public var hasLexicalDatabases: Bool { Self.lexicalDatabases.allSatisfy(env.has) }

    /// Whether an online addition can write its postings without the stored ones read: the
    /// term → id map lists every lexicon entry.
    public func canAppendPostingsUnread() throws(StoreError) -> Bool {
        guard hasLexicalDatabases, env.has(Self.termsDatabase) else { return false }
        return try env.read { txn throws(StoreError) in try txn.count(Self.termsDatabase) == txn.count("lexicon") }
    }

    static func termKey(_ term: String) -> [UInt8] {
        let bytes = Array(term.utf8)
        guard bytes.count > maxTermKey else { return bytes }
        var hash = SHA256()
        hash.update(bytes)
        return [0xFF] + hash.finalize()
    }

    /// The stored postings over `documentCount` records and the first `termCount` terms (all
    /// when nil), or nil when there are none. Entries past those (an edit committed after the
    /// state being read was) are left out.
    public func lexicalIndex(documentCount: Int, termCount: Int? = nil) throws(StoreError) -> LexicalIndex? {
        guard hasLexicalDatabases else { return nil }
        let path = folder.path
        return try env.read { txn throws(StoreError) -> LexicalIndex? in
            let stored = try txn.count("lexicon")
            let n = min(stored, termCount ?? stored)
            guard n > 0 || documentCount == 0 else { return nil }
            var terms: [String] = []
            terms.reserveCapacity(n)
            try txn.forEach("lexicon") { key, value throws(StoreError) in
                guard terms.count < n else { return }
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
                let term = key.count >= 4 ? Int(UInt32(bigEndian: key.loadUnaligned(as: UInt32.self))) : stored
                guard key.count == 4 || key.count == 8, term < stored, let list = LexicalIndex.decode(value),
                      let first = list.first, let last = list.last,
                      term > previous.term || Int(first.document) > previous.document else {
                    throw .corrupt(path: path, reason: "the postings of term \(min(term, stored)) are unreadable")
                }
                previous = (term, Int(last.document))
                // A later edit's: its term or record is past the state read.
                if key.count == 8 && (term >= n || Int(first.document) >= documentCount) { return }
                guard term < n, Int(last.document) < documentCount else {
                    throw .corrupt(path: path, reason: "the postings of term \(term) name records past the \(documentCount) stored")
                }
                postings[term] += list
            }
            return LexicalIndex(terms: terms, postings: postings, documentCount: documentCount)
        }
    }

    /// Replaces lexicon and postings with `lexical`'s (clears them when nil).
    func writeLexical(_ lexical: LexicalIndex?, _ txn: LMDBTransaction) throws(StoreError) {
        try txn.clear("lexicon")
        try txn.clear("postings")
        try txn.clear(Self.termsDatabase)
        guard let lexical else { return }
        var byTerm: [(key: [UInt8], id: UInt32)] = []
        byTerm.reserveCapacity(lexical.terms.count)
        for (id, term) in lexical.terms.enumerated() {
            let key = UInt32(id).keyBytes
            try txn.put("lexicon", key, Array(term.utf8), append: true)
            try txn.put("postings", key, LexicalIndex.encode(lexical.postings[id]), append: true)
            byTerm.append((Self.termKey(term), UInt32(id)))
        }
        // LMDB's key order (bytes, shorter first on a tie), so the puts append.
        byTerm.sort { $0.key.lexicographicallyPrecedes($1.key) }
        for (key, id) in byTerm { try txn.put(Self.termsDatabase, key, id.keyBytes, append: true) }
    }

    /// Writes what `appended` added to `lexical`: the new terms' lexicon entries and one
    /// (term, record) entry per posting.
    func writeLexicalChanges(_ lexical: LexicalIndex, _ appended: LexicalIndex.Appended, _ txn: LMDBTransaction) throws(StoreError) {
        for id in appended.newTerms {
            try txn.put("lexicon", id.keyBytes, Array(lexical.terms[Int(id)].utf8), append: true)
            try txn.put(Self.termsDatabase, Self.termKey(lexical.terms[Int(id)]), id.keyBytes)
        }
        for (i, terms) in appended.documents.enumerated() {
            let document = appended.firstDocument + UInt32(i)
            for t in terms {
                try txn.put("postings", t.term.keyBytes + document.keyBytes,
                            LexicalIndex.encode([LexicalIndex.Posting(document: document, frequency: t.frequency)]))
            }
        }
    }

    /// Writes the postings of `documents` (token lists; record ids from `firstDocument` on) after
    /// stored postings of `termCount` terms, finding the tokens' ids in `terms` instead of
    /// reading the postings (`canAppendPostingsUnread` must hold). Returns the new term count.
    func appendLexicalUnread(_ documents: [[String]], firstDocument: UInt32, termCount: Int,
                             _ txn: LMDBTransaction) throws(StoreError) -> Int {
        let stored = try txn.count("lexicon")
        guard stored == termCount, try txn.count(Self.termsDatabase) == stored else {
            throw .corrupt(path: folder.path, reason: "the lexicon has \(stored) terms where the manifest lists \(termCount)")
        }
        var next = UInt32(stored)
        var found: [String: UInt32] = [:]
        for (i, tokens) in documents.enumerated() {
            let counted = try LexicalIndex.termCounts(tokens) { token throws(StoreError) -> UInt32 in
                if let known = found[token] { return known }
                let id: UInt32
                if let bytes = try txn.get(Self.termsDatabase, Self.termKey(token)), bytes.count == 4 {
                    id = bytes.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self)) }
                } else {
                    id = next
                    next += 1
                    try txn.put("lexicon", id.keyBytes, Array(token.utf8), append: true)
                    try txn.put(Self.termsDatabase, Self.termKey(token), id.keyBytes)
                }
                found[token] = id
                return id
            }
            let document = firstDocument + UInt32(i)
            for t in counted {
                try txn.put("postings", t.term.keyBytes + document.keyBytes,
                            LexicalIndex.encode([LexicalIndex.Posting(document: document, frequency: t.frequency)]))
            }
        }
        return Int(next)
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
            // The term map, when it is whole, names each term's id.
            guard try canAppendPostingsUnread() else { return [] }
            return try env.read { txn throws(StoreError) -> [String] in
                for (id, term) in lexical.terms.enumerated() {
                    guard let bytes = try txn.get(Self.termsDatabase, Self.termKey(term)), bytes == UInt32(id).keyBytes else {
                        return ["the term map does not give term \(id) its id"]
                    }
                }
                return []
            }
        } catch .corrupt(_, let reason) {
            return [reason]
        }
    }
}
