import ExemplarEncoder
import Foundation

/// A model's tokenizer (ExemplarEncoder's `Tokenizer`: WordPiece, BPE or Unigram) as a
/// `TemplateTokenizer`: tokens are vocabulary pieces, joined back through the tokenizer's
/// decoder (WordPiece without its punctuation clean-up, so a cut prefix reads as its pieces).
/// It never truncates, so it counts whole contexts (`max_context_tokens`).
public struct ModelTokenizer: TemplateTokenizer {
    let tokenizer: Tokenizer
    let decoder: TokenDecoder?

    /// The tokenizer of a model folder (`tokenizer.json`, or `vocab.txt` + `tokenizer_config.json`).
    public init(folder: URL) throws(EncoderError) {
        self.init(try Tokenizer.load(folder: folder, maxLength: Int(Int32.max)))
    }

    /// An encoder's tokenizer, without its length limit.
    public init(_ tokenizer: Tokenizer) {
        self.tokenizer = tokenizer.with(maxLength: Int(Int32.max))
        if case .wordPiece(let prefix, _)? = tokenizer.decoder {
            decoder = .wordPiece(prefix: prefix, cleanup: false)
        } else {
            decoder = tokenizer.decoder
        }
    }

    public func tokenize(_ text: String) -> [String] {
        tokenizer.tokenIDs(text).map { tokenizer.token(for: $0) ?? "" }
    }

    public func detokenize(_ tokens: [String]) -> String {
        TokenDecoder.decode(tokens, with: decoder)
    }
}
