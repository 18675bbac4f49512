import ExemplarEncoder
import Foundation

/// A BERT-family WordPiece tokenizer (ExemplarEncoder's `BertTokenizer`) as a
/// `TemplateTokenizer`: tokens are vocabulary pieces, `##` pieces joined on detokenize. It
/// never truncates, so it counts whole contexts (`max_context_tokens`).
public struct WordPieceTokenizer: TemplateTokenizer {
    let tokenizer: BertTokenizer
    let pieces: [Int32: String]

    /// The tokenizer of a model folder (`tokenizer.json`, or `vocab.txt` + `tokenizer_config.json`).
    public init(folder: URL) throws(EncoderError) {
        self.init(try BertTokenizer.load(folder: folder, maxLength: Int(Int32.max)))
    }

    /// An encoder's tokenizer, without its length limit.
    public init(_ tokenizer: BertTokenizer) {
        let specials = Dictionary(tokenizer.specialTokens.map { (String(String.UnicodeScalarView($0.text)), $0.id) }, uniquingKeysWith: { a, _ in a })
        self.tokenizer = BertTokenizer(normalizer: tokenizer.normalizer, wordPiece: tokenizer.wordPiece, specialTokens: specials,
                                       clsID: tokenizer.clsID, sepID: tokenizer.sepID, padID: tokenizer.padID,
                                       maxLength: Int(Int32.max), lowercaseInput: tokenizer.lowercaseInput)
        var pieces = Dictionary(tokenizer.wordPiece.vocab.map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        for (text, id) in specials { pieces[id] = text }
        self.pieces = pieces
    }

    public func tokenize(_ text: String) -> [String] {
        tokenizer.encode(text).dropFirst().dropLast().map { pieces[$0] ?? "[UNK]" }
    }

    public func detokenize(_ tokens: [String]) -> String {
        let prefix = tokenizer.wordPiece.continuingSubwordPrefix
        return tokens.reduce("") { $1.hasPrefix(prefix) ? $0 + $1.dropFirst(prefix.count) : ($0.isEmpty ? $1 : $0 + " " + $1) }
    }
}
