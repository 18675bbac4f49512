/// tokenizer.json's `model`: a pre-tokenized piece to token ids.
public enum TokenizerModel: Sendable {
    case wordPiece(WordPiece)
    case bpe(BPE)
    case unigram(Unigram)

    /// Appends the ids of `piece`'s tokens to `ids`.
    func encode(_ piece: [Unicode.Scalar], into ids: inout [Int32]) {
        switch self {
        case .wordPiece(let m): m.encode(piece[...], into: &ids)
        case .bpe(let m): m.encode(piece, into: &ids)
        case .unigram(let m): m.encode(piece, into: &ids)
        }
    }

    /// Each id's token string.
    var tokensByID: [Int32: String] {
        switch self {
        case .wordPiece(let m): return Dictionary(m.vocab.map { ($1, $0.text) }, uniquingKeysWith: { a, _ in a })
        case .bpe(let m): return Dictionary(m.vocab.map { ($1, $0.text) }, uniquingKeysWith: { a, _ in a })
        case .unigram(let m):
            var map: [Int32: String] = [:]
            for (i, t) in m.tokens.enumerated() { map[Int32(i)] = t }
            return map
        }
    }

    /// The id of `token`, if the model has it.
    func id(of token: String) -> Int32? {
        switch self {
        case .wordPiece(let m): return m.vocab[TokenKey(token)]
        case .bpe(let m): return m.vocab[TokenKey(token)]
        case .unigram(let m): return m.tokenToID[TokenKey(token)]
        }
    }

    /// The largest id the model can produce.
    var largestID: Int32 {
        switch self {
        case .wordPiece(let m): return m.vocab.values.max() ?? 0
        case .bpe(let m): return m.vocab.values.max() ?? 0
        case .unigram(let m): return Int32(max(0, m.tokens.count - 1))
        }
    }

    /// The model's type name in tokenizer.json.
    var typeName: String {
        switch self {
        case .wordPiece: return "WordPiece"
        case .bpe: return "BPE"
        case .unigram: return "Unigram"
        }
    }
}
