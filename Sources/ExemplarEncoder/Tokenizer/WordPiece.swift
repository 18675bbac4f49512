/// Greedy longest-match-first WordPiece, as in BERT.
///
/// A word longer than `maxInputCharsPerWord` characters, or one that cannot be covered by
/// vocabulary pieces (continuations carry `continuingSubwordPrefix`), becomes `unkID`.
public struct WordPiece: Sendable {
    public let vocab: [TokenKey: Int32]
    public let unkID: Int32
    public let continuingSubwordPrefix: String
    public let maxInputCharsPerWord: Int

    public init(vocab: [String: Int32], unkID: Int32, continuingSubwordPrefix: String = "##",
                maxInputCharsPerWord: Int = 100) {
        self.init(vocab: Dictionary(vocab.map { (TokenKey($0.key), $0.value) }, uniquingKeysWith: { a, _ in a }), unkID: unkID,
                  continuingSubwordPrefix: continuingSubwordPrefix, maxInputCharsPerWord: maxInputCharsPerWord)
    }

    public init(vocab: [TokenKey: Int32], unkID: Int32, continuingSubwordPrefix: String = "##",
                maxInputCharsPerWord: Int = 100) {
        self.vocab = vocab
        self.unkID = unkID
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
    }

    /// Appends the ids of `word`'s pieces to `ids`.
    public func encode(_ word: ArraySlice<Unicode.Scalar>, into ids: inout [Int32]) {
        if word.count > maxInputCharsPerWord {
            ids.append(unkID)
            return
        }
        let whole = String(String.UnicodeScalarView(word))
        if let id = vocab[TokenKey(whole)] {
            ids.append(id)
            return
        }
        let mark = ids.count
        var start = word.startIndex
        while start < word.endIndex {
            var end = word.endIndex
            var found: Int32?
            while start < end {
                var piece = start == word.startIndex ? "" : continuingSubwordPrefix
                piece.unicodeScalars.append(contentsOf: word[start..<end])
                if let id = vocab[TokenKey(piece)] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else {
                ids.removeSubrange(mark...)
                ids.append(unkID)
                return
            }
            ids.append(id)
            start = end
        }
    }
}
