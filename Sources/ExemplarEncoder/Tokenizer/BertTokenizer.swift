import Foundation

/// BERT's tokenizer as sentence-transformers runs it: special tokens split out of the raw
/// text, `BertNormalizer`, `BertPreTokenizer`, `WordPiece`, then `[CLS] ... [SEP]` with
/// truncation to `maxLength` tokens (special tokens included).
public struct BertTokenizer: Sendable {
    public let normalizer: BertNormalizer
    public let wordPiece: WordPiece
    /// Tokens matched in the raw text before normalization (`[SEP]`, `[MASK]`, ...), longest first.
    public let specialTokens: [(text: [Unicode.Scalar], id: Int32)]
    public let clsID: Int32
    public let sepID: Int32
    public let padID: Int32
    /// Most ids a sequence may have, `[CLS]` and `[SEP]` included.
    public let maxLength: Int
    /// sentence-transformers' own `do_lower_case`: lower-case the text before tokenizing.
    public let lowercaseInput: Bool

    public init(normalizer: BertNormalizer, wordPiece: WordPiece,
                specialTokens: [String: Int32], clsID: Int32, sepID: Int32, padID: Int32,
                maxLength: Int, lowercaseInput: Bool = false) {
        self.normalizer = normalizer
        self.wordPiece = wordPiece
        self.specialTokens = specialTokens
            .map { (text: Array($0.key.unicodeScalars), id: $0.value) }
            .sorted { $0.text.count != $1.text.count ? $0.text.count > $1.text.count : $0.id < $1.id }
        self.clsID = clsID
        self.sepID = sepID
        self.padID = padID
        self.maxLength = max(2, maxLength)
        self.lowercaseInput = lowercaseInput
    }

    /// The ids the encoder sees for `text`: `[CLS]`, the pieces (truncated), `[SEP]`.
    public func encode(_ text: String) -> [Int32] {
        let source = lowercaseInput ? text.lowercased() : text
        var ids: [Int32] = [clsID]
        let budget = maxLength - 2
        let scalars = Array(source.unicodeScalars)
        var segmentStart = 0
        var i = 0
        func flush(_ end: Int) {
            guard segmentStart < end, ids.count - 1 < budget else { return }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[segmentStart..<end])
            let normalized = normalizer.normalize(Substring(String(view)))
            for word in BertPreTokenizer.split(normalized) {
                wordPiece.encode(word, into: &ids)
                if ids.count - 1 >= budget { break }
            }
        }
        while i < scalars.count {
            if let match = specialToken(at: i, in: scalars) {
                flush(i)
                ids.append(match.id)
                i += match.length
                segmentStart = i
            } else {
                i += 1
            }
        }
        flush(scalars.count)
        if ids.count - 1 > budget { ids.removeSubrange((budget + 1)...) }
        ids.append(sepID)
        return ids
    }

    private func specialToken(at i: Int, in scalars: [Unicode.Scalar]) -> (id: Int32, length: Int)? {
        for token in specialTokens where token.text.first == scalars[i] {
            let end = i + token.text.count
            if end <= scalars.count && scalars[i..<end].elementsEqual(token.text) {
                return (token.id, token.text.count)
            }
        }
        return nil
    }
}
