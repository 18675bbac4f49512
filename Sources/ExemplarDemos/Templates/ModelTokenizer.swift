import ExemplarEncoder
import Foundation

/// A model's tokenizer (ExemplarEncoder's `Tokenizer`: WordPiece, BPE or Unigram) as a
/// `TemplateTokenizer`: tokens are vocabulary pieces, joined back through the tokenizer's
/// decoder (WordPiece without its punctuation clean-up, so a cut prefix reads as its pieces).
/// It never truncates, so it counts whole contexts (`max_context_tokens`).
public struct ModelTokenizer: TemplateTokenizer {
    let tokenizer: Tokenizer
    let decoder: TokenDecoder?
    /// Every token's id, added tokens winning over the model's vocabulary (as `Tokenizer.id(of:)`).
    let ids: [TokenKey: Int]

    /// The tokenizer of a model folder (`tokenizer.json`, or `vocab.txt` + `tokenizer_config.json`),
    /// or of one tokenizer.json file.
    public init(folder: URL) throws(EncoderError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), !isFolder.boolValue {
            self.init(try Tokenizer.load(tokenizerJSON: folder, maxLength: Int(Int32.max)))
        } else {
            self.init(try Tokenizer.load(folder: folder, maxLength: Int(Int32.max)))
        }
    }

    /// An encoder's tokenizer, without its length limit.
    public init(_ tokenizer: Tokenizer) {
        self.tokenizer = tokenizer.with(maxLength: Int(Int32.max))
        var ids: [TokenKey: Int] = [:]
        ids.reserveCapacity(Int(tokenizer.largestID) + 1)
        for id in 0...max(0, tokenizer.largestID) {
            if let token = tokenizer.token(for: id), ids[TokenKey(token)] == nil { ids[TokenKey(token)] = Int(id) }
        }
        for added in tokenizer.addedTokens.reversed() { ids[TokenKey(added.content)] = Int(added.id) }
        self.ids = ids
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

    /// The id of a vocabulary piece or added token, if the tokenizer has it.
    public func id(of token: String) -> Int? {
        ids[TokenKey(token)]
    }

    /// Whether the model takes token type ids: a WordPiece (BERT-family) vocabulary. LM-BFF's
    /// rule is BERT yes, RoBERTa no.
    public var hasTokenTypes: Bool {
        if case .wordPiece = tokenizer.model { true } else { false }
    }

    /// The special-token set (RoBERTa's or BERT's) whose `cls`, `sep` and `mask` all are tokens
    /// of this tokenizer, RoBERTa's first; nil when neither is.
    public var specialTokens: SpecialTokens? {
        [SpecialTokens.roberta, .bert].first { set in [set.cls, set.sep, set.mask].allSatisfy { id(of: $0) != nil } }
    }

    /// The padding token's id: `<pad>` or `[PAD]`.
    public var padID: Int? { id(of: "<pad>") ?? id(of: "[PAD]") }

    /// The unknown token's id: `<unk>` or `[UNK]`.
    public var unknownID: Int? { id(of: "<unk>") ?? id(of: "[UNK]") }
}
