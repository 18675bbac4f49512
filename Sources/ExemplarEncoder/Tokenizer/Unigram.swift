/// SentencePiece's Unigram model as Hugging Face tokenizers runs it: the best-scoring
/// segmentation of a piece (Viterbi over its UTF-8 bytes, every vocabulary piece a
/// candidate), characters no piece covers scored `min score - 10` as `unkID`, adjacent
/// unknowns fused into one token, which `byteFallback` spells as `<0xXX>` bytes instead.
public struct Unigram: Sendable {
    public let tokens: [String]
    public let scores: [Double]
    public let tokenToID: [TokenKey: Int32]
    public let unkID: Int32?
    public let byteFallback: Bool
    let unkScore: Double
    /// Byte trie over the tokens: (node << 8 | byte) -> child node.
    let children: [UInt64: Int32]
    /// The id a trie node completes, or -1.
    let terminal: [Int32]
    let byteIDs: [Int32?]

    init(vocab: [(String, Double)], unkID: Int?, byteFallback: Bool) throws(TokenizerConfigError) {
        tokens = vocab.map(\.0)
        scores = vocab.map(\.1)
        var toID: [TokenKey: Int32] = [:]
        toID.reserveCapacity(vocab.count)
        var minScore = Double.infinity
        var children: [UInt64: Int32] = [:]
        var terminal: [Int32] = [-1]
        for (i, (token, score)) in vocab.enumerated() {
            toID[TokenKey(token)] = Int32(i)
            minScore = min(minScore, score)
            var node: Int32 = 0
            for b in token.utf8 {
                let key = UInt64(node) << 8 | UInt64(b)
                if let next = children[key] {
                    node = next
                } else {
                    let next = Int32(terminal.count)
                    terminal.append(-1)
                    children[key] = next
                    node = next
                }
            }
            if node != 0 { terminal[Int(node)] = 0 }
        }
        // A token listed twice maps to its last id, as in tokenizers.
        for token in tokens {
            var node: Int32 = 0
            for b in token.utf8 { node = children[UInt64(node) << 8 | UInt64(b)]! }
            if node != 0 { terminal[Int(node)] = toID[TokenKey(token)]! }
        }
        if let unkID {
            guard unkID >= 0 && unkID < vocab.count else {
                throw TokenizerConfigError("unk_id \(unkID) is outside the vocabulary of \(vocab.count)")
            }
            self.unkID = Int32(unkID)
        } else {
            self.unkID = nil
        }
        self.tokenToID = toID
        self.children = children
        self.terminal = terminal
        self.byteFallback = byteFallback
        self.unkScore = minScore - 10
        let hex = Array("0123456789ABCDEF")
        byteIDs = (0..<256).map { b in toID[TokenKey("<0x\(hex[b >> 4])\(hex[b & 15])>")] }
    }

    /// Appends the ids of `piece`'s tokens to `ids`.
    func encode(_ piece: [Unicode.Scalar], into ids: inout [Int32]) {
        guard !piece.isEmpty else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(piece.count * 2)
        var charLength = [Int](repeating: 0, count: 0)
        for s in piece {
            let before = bytes.count
            bytes.append(contentsOf: s.utf8)
            charLength.append(bytes.count - before)
        }
        let n = bytes.count
        var bestScore = [Double](repeating: 0, count: n + 1)
        var startsAt = [Int](repeating: -1, count: n + 1)
        var nodeID = [Int32](repeating: 0, count: n + 1)
        var start = 0
        var c = 0
        while start < n {
            let base = bestScore[start]
            let mblen = charLength[c]
            var hasSingle = false
            var node: Int32 = 0
            var end = start
            while end < n, let next = children[UInt64(node) << 8 | UInt64(bytes[end])] {
                node = next
                end += 1
                let id = terminal[Int(node)]
                if id >= 0 {
                    let candidate = scores[Int(id)] + base
                    if startsAt[end] < 0 || candidate > bestScore[end] {
                        bestScore[end] = candidate
                        startsAt[end] = start
                        nodeID[end] = id
                    }
                    if end - start == mblen { hasSingle = true }
                }
            }
            if !hasSingle, let unkID {
                let end = start + mblen
                let candidate = unkScore + base
                if startsAt[end] < 0 || candidate > bestScore[end] {
                    bestScore[end] = candidate
                    startsAt[end] = start
                    nodeID[end] = unkID
                }
            }
            start += mblen
            c += 1
        }
        // Walk back, fusing runs of unknowns.
        var path: [(id: Int32, range: Range<Int>)] = []
        var end = n
        var unkEnd = -1
        while end > 0 {
            let s = startsAt[end]
            guard s >= 0 else { return }  // no unk_id and an uncovered character: tokenizers fails too
            if let unkID, nodeID[end] == unkID {
                if unkEnd < 0 { unkEnd = end }
            } else {
                if unkEnd >= 0 { path.append((-1, end..<unkEnd)); unkEnd = -1 }
                path.append((nodeID[end], s..<end))
            }
            end = s
        }
        if unkEnd >= 0 { path.append((-1, 0..<unkEnd)) }
        for (id, range) in path.reversed() {
            if id >= 0 { ids.append(id); continue }
            let text = String(decoding: bytes[range], as: UTF8.self)
            if let known = tokenToID[TokenKey(text)] {
                ids.append(known)
            } else if byteFallback, bytes[range].allSatisfy({ byteIDs[Int($0)] != nil }) {
                for b in bytes[range] { ids.append(byteIDs[Int(b)]!) }
            } else if let unkID {
                ids.append(unkID)
            }
        }
    }
}
