/// Byte-pair encoding as Hugging Face tokenizers runs it at inference: each character of a
/// piece (with `continuingSubwordPrefix` after the first, `endOfWordSuffix` on the last)
/// looked up, unknown ones as `<0xXX>` bytes (`byteFallback`) or `unkID` (fused runs), then
/// adjacent pairs merged lowest rank first, leftmost on ties. Dropout is ignored.
public struct BPE: Sendable {
    struct Merge: Sendable {
        let rank: Int32
        let id: Int32
    }

    public let vocab: [TokenKey: Int32]
    let merges: [UInt64: Merge]
    public let unkID: Int32?
    public let continuingSubwordPrefix: String?
    public let endOfWordSuffix: String?
    public let fuseUnk: Bool
    public let byteFallback: Bool
    public let ignoreMerges: Bool
    /// The id of `<0xXX>` for each byte, where the vocabulary has it.
    let byteIDs: [Int32?]

    /// `merges` are the pairs in rank order; a pair listed twice keeps its last rank, as in tokenizers.
    init(vocab: [TokenKey: Int32], merges: [(String, String)], unkToken: String?, continuingSubwordPrefix: String?,
         endOfWordSuffix: String?, fuseUnk: Bool, byteFallback: Bool, ignoreMerges: Bool) throws(TokenizerConfigError) {
        self.vocab = vocab
        let prefixLength = continuingSubwordPrefix?.unicodeScalars.count ?? 0
        var table: [UInt64: Merge] = [:]
        table.reserveCapacity(merges.count)
        for (rank, (a, b)) in merges.enumerated() {
            guard let ia = vocab[TokenKey(a)] else { throw TokenizerConfigError("merge \(rank) (\"\(a) \(b)\"): \"\(a)\" is not in the vocabulary") }
            guard let ib = vocab[TokenKey(b)] else { throw TokenizerConfigError("merge \(rank) (\"\(a) \(b)\"): \"\(b)\" is not in the vocabulary") }
            var merged = a
            if prefixLength > 0 && b.unicodeScalars.count >= prefixLength {
                merged.unicodeScalars.append(contentsOf: b.unicodeScalars.dropFirst(prefixLength))
            } else {
                merged += b
            }
            guard let id = vocab[TokenKey(merged)] else { throw TokenizerConfigError("merge \(rank) (\"\(a) \(b)\"): \"\(merged)\" is not in the vocabulary") }
            table[Self.key(ia, ib)] = Merge(rank: Int32(rank), id: id)
        }
        self.merges = table
        if let unkToken {
            guard let id = vocab[TokenKey(unkToken)] else { throw TokenizerConfigError("unk_token \"\(unkToken)\" is not in the vocabulary") }
            unkID = id
        } else {
            unkID = nil
        }
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.endOfWordSuffix = endOfWordSuffix
        self.fuseUnk = fuseUnk
        self.byteFallback = byteFallback
        self.ignoreMerges = ignoreMerges
        let hex = Array("0123456789ABCDEF")
        byteIDs = (0..<256).map { b in vocab[TokenKey("<0x\(hex[b >> 4])\(hex[b & 15])>")] }
    }

    @inline(__always) static func key(_ a: Int32, _ b: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
    }

    /// Appends the ids of `word`'s tokens to `ids`.
    func encode(_ word: [Unicode.Scalar], into ids: inout [Int32]) {
        guard !word.isEmpty else { return }
        if ignoreMerges, let id = vocab[TokenKey(String(String.UnicodeScalarView(word)))] {
            ids.append(id)
            return
        }
        var symbols: [Int32] = []
        symbols.reserveCapacity(word.count)
        var pendingUnk = false
        let plain = continuingSubwordPrefix == nil && endOfWordSuffix == nil
        for (i, scalar) in word.enumerated() {
            var s: String
            if plain {
                s = String(scalar)
            } else {
                s = ""
                if i > 0, let prefix = continuingSubwordPrefix { s += prefix }
                s.unicodeScalars.append(scalar)
                if i == word.count - 1, let suffix = endOfWordSuffix { s += suffix }
            }
            if let id = vocab[TokenKey(s)] {
                if pendingUnk, let unkID { symbols.append(unkID); pendingUnk = false }
                symbols.append(id)
                continue
            }
            if byteFallback {
                var bytes: [Int32] = []
                var complete = true
                for b in s.utf8 {
                    guard let id = byteIDs[Int(b)] else { complete = false; break }
                    bytes.append(id)
                }
                if complete {
                    symbols.append(contentsOf: bytes)  // a pending unk is not flushed first (as in tokenizers)
                    continue
                }
            }
            if let unkID {
                if pendingUnk && !fuseUnk { symbols.append(unkID) }
                pendingUnk = true
            }
        }
        if pendingUnk, let unkID { symbols.append(unkID) }
        merge(&symbols)
        ids.append(contentsOf: symbols)
    }

    /// Merges adjacent pairs, lowest rank first and leftmost among equals, until none applies.
    func merge(_ symbols: inout [Int32]) {
        guard symbols.count > 1 else { return }
        let none = Int32.max
        var ranks = [Int32](repeating: none, count: symbols.count - 1)
        var results = [Int32](repeating: 0, count: symbols.count - 1)
        func look(_ i: Int) {
            if let m = merges[Self.key(symbols[i], symbols[i + 1])] {
                ranks[i] = m.rank; results[i] = m.id
            } else {
                ranks[i] = none
            }
        }
        for i in 0..<ranks.count { look(i) }
        while !ranks.isEmpty {
            var best = 0
            var bestRank = ranks[0]
            for i in 1..<ranks.count where ranks[i] < bestRank {
                best = i; bestRank = ranks[i]
            }
            if bestRank == none { break }
            symbols[best] = results[best]
            symbols.remove(at: best + 1)
            ranks.remove(at: best)
            results.remove(at: best)
            if best < ranks.count { look(best) }
            if best > 0 { look(best - 1) }
        }
    }
}
