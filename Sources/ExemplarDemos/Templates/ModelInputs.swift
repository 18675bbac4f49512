/// A rendered context as the ids a masked LM is trained or evaluated on: LM-BFF's
/// `OurInputFeatures` (`input_ids`, `attention_mask`, `token_type_ids`, `mask_pos`,
/// `label_word_list`), padded to the context's max length as LM-BFF pads.
public struct ModelInputs: Sendable, Hashable {
    /// The context's token ids, then padding up to `maxLength`.
    public let inputIDs: [Int]
    /// 1 for a context token, 0 for padding.
    public let attentionMask: [Int]
    /// All 0 (the model's first segment) for models with token types (BERT), nil for those
    /// without (RoBERTa). LM-BFF computes segment ids that grow after each `*sep+*` but passes
    /// them only to tokenizers whose class name holds "BERT", which neither `BertTokenizer` nor
    /// `RobertaTokenizer` does, so its BERT models see type 0 throughout; ids of 2 and more
    /// would be outside BERT's two token types anyway.
    public let tokenTypeIDs: [Int]?
    /// The position of the mask token.
    public let maskPosition: Int
    /// The id of each label group's word, in label order.
    public let labelWordIDs: [Int]
}

/// Turns rendered contexts into `ModelInputs` with the target LM's tokenizer: the renderer's
/// tokens (LM-BFF's per-part tokenization, sentence limits and length cut) looked up as ids.
public struct InputEncoder: Sendable {
    public let tokenizer: ModelTokenizer
    /// The padded length (LM-BFF's `max_length`: `max_seq_length`, doubled with `double_demo`).
    public let maxLength: Int
    public let labelWordIDs: [Int]
    let maskID: Int
    let padID: Int
    let unknownID: Int?

    /// An encoder for `renderer`'s contexts; throws when a special token of the renderer or a
    /// label word is not one token of `tokenizer`.
    public init(tokenizer: ModelTokenizer, renderer: ContextRenderer) throws(TemplateError) {
        guard let limit = renderer.lengthLimit else {
            throw .invalidOption(option: "max_seq_length", value: "none", expected: "given: token ids are padded to it")
        }
        let specials = renderer.specialTokens
        for (token, what) in [(specials.cls, "the cls token"), (specials.sep, "the sep token"), (specials.mask, "the mask token")] {
            guard tokenizer.id(of: token) != nil else { throw .tokenNotInVocabulary(token: token, what: what) }
        }
        guard let pad = tokenizer.padID else { throw .tokenNotInVocabulary(token: "<pad> or [PAD]", what: "padding") }
        var words: [Int] = []
        for (group, word) in renderer.labelWords.words.enumerated() {
            let text = renderer.labelWords.rendered(group)
            let tokens = text == word ? [word] : tokenizer.tokenize(text)
            guard tokens.count == 1 else { throw .labelWordNotOneToken(word: word, tokens: tokens) }
            guard let id = tokenizer.id(of: tokens[0]) else { throw .tokenNotInVocabulary(token: tokens[0], what: "label word") }
            words.append(id)
        }
        self.tokenizer = tokenizer
        self.maxLength = limit.maxLength
        self.labelWordIDs = words
        self.maskID = tokenizer.id(of: specials.mask)!
        self.padID = pad
        self.unknownID = tokenizer.unknownID
    }

    /// The inputs of a context the renderer made (with this encoder's tokenizer).
    public func encode(_ context: RenderedContext) throws(TemplateError) -> ModelInputs {
        var ids: [Int] = []
        ids.reserveCapacity(maxLength)
        for segment in context.segments {
            for token in segment.tokens ?? [] {
                // A one-character literal is looked up as LM-BFF does: the unknown token when absent.
                guard let id = tokenizer.id(of: token) ?? unknownID else {
                    throw .tokenNotInVocabulary(token: token, what: "a literal of the template")
                }
                ids.append(id)
            }
        }
        if ids.count > maxLength { ids.removeSubrange(maxLength...) }  // the renderer has cut already
        guard let mask = ids.firstIndex(of: maskID) else { throw .maskCutOff(maxLength: maxLength) }
        let length = ids.count
        ids += [Int](repeating: padID, count: maxLength - length)
        return ModelInputs(inputIDs: ids, attentionMask: [Int](repeating: 1, count: length) + [Int](repeating: 0, count: maxLength - length),
                           tokenTypeIDs: tokenizer.hasTokenTypes ? [Int](repeating: 0, count: maxLength) : nil,
                           maskPosition: mask, labelWordIDs: labelWordIDs)
    }
}
