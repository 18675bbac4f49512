import Foundation

extension BertTokenizer {
    /// Loads the tokenizer of a model folder: `tokenizer.json` when present, else
    /// `vocab.txt` with `tokenizer_config.json`.
    ///
    /// `maxLength` is the model's `max_seq_length` (sentence_bert_config.json), which wins
    /// over the tokenizer's own limit.
    public static func load(folder: URL, maxLength: Int, lowercaseInput: Bool = false) throws(EncoderError) -> BertTokenizer {
        let tokenizerJSON = folder.appendingPathComponent("tokenizer.json")
        if let file = try JSONFile.readIfPresent(tokenizerJSON) {
            return try fromTokenizerJSON(file, maxLength: maxLength, lowercaseInput: lowercaseInput)
        }
        return try fromVocabTxt(folder: folder, maxLength: maxLength, lowercaseInput: lowercaseInput)
    }

    static func fromTokenizerJSON(_ file: JSONFile, maxLength: Int, lowercaseInput: Bool) throws(EncoderError) -> BertTokenizer {
        let path = file.path
        guard let model = try file.object("model"), try model.string("type") == "WordPiece" else {
            throw .unsupported(path: path, reason: "only WordPiece tokenizers (BERT family) are supported")
        }
        guard case .object(let rawVocab)? = model.field("vocab") else {
            throw model.error("vocab", "must be an object of token ids")
        }
        var vocab: [String: Int32] = [:]
        vocab.reserveCapacity(rawVocab.count)
        for (token, value) in rawVocab {
            guard case .number(let n) = value, let id = Int32(exactly: n) else {
                throw .invalidModelFile(path: path, reason: "vocabulary entry \"\(token)\" has no integer id")
            }
            vocab[token] = id
        }
        let unk = try model.string("unk_token") ?? "[UNK]"
        guard let unkID = vocab[unk] else {
            throw .invalidModelFile(path: path, reason: "unk_token \"\(unk)\" is not in the vocabulary")
        }
        let wordPiece = WordPiece(
            vocab: vocab, unkID: unkID,
            continuingSubwordPrefix: try model.string("continuing_subword_prefix") ?? "##",
            maxInputCharsPerWord: try model.int("max_input_chars_per_word") ?? 100)

        guard let norm = try file.object("normalizer"), try norm.string("type") == "BertNormalizer" else {
            throw .unsupported(path: path, reason: "normalizer must be BertNormalizer")
        }
        let normalizer = BertNormalizer(
            cleanText: try norm.bool("clean_text") ?? true,
            handleChineseChars: try norm.bool("handle_chinese_chars") ?? true,
            stripAccents: try norm.bool("strip_accents"),
            lowercase: try norm.bool("lowercase") ?? true)
        if let pre = try file.object("pre_tokenizer"), try pre.string("type") != "BertPreTokenizer" {
            throw .unsupported(path: path, reason: "pre_tokenizer must be BertPreTokenizer")
        }

        var special: [String: Int32] = [:]
        for token in file.field("added_tokens")?.arrayValue ?? [] {
            if case .string(let content)? = token["content"], case .number(let n)? = token["id"],
               let id = Int32(exactly: n) {
                special[content] = id
            }
        }
        func id(_ token: String) throws(EncoderError) -> Int32 {
            guard let id = special[token] ?? vocab[token] else {
                throw .invalidModelFile(path: path, reason: "special token \(token) is not in the vocabulary")
            }
            return id
        }
        var cls = "[CLS]", sep = "[SEP]"
        if let post = try file.object("post_processor") {
            if case .string(let s)? = post.field("cls")?.arrayValue?.first { cls = s }
            if case .string(let s)? = post.field("sep")?.arrayValue?.first { sep = s }
        }
        let pad = (try file.object("padding")).flatMap { try? $0.string("pad_token") } ?? "[PAD]"
        return BertTokenizer(
            normalizer: normalizer, wordPiece: wordPiece, specialTokens: special,
            clsID: try id(cls), sepID: try id(sep), padID: (try? id(pad)) ?? 0,
            maxLength: maxLength, lowercaseInput: lowercaseInput)
    }

    static func fromVocabTxt(folder: URL, maxLength: Int, lowercaseInput: Bool) throws(EncoderError) -> BertTokenizer {
        let vocabURL = folder.appendingPathComponent("vocab.txt")
        guard let data = FileManager.default.contents(atPath: vocabURL.path) else {
            throw .missingFile(path: folder.appendingPathComponent("tokenizer.json").path
                + " (or vocab.txt)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .invalidModelFile(path: vocabURL.path, reason: "not valid UTF-8")
        }
        var vocab: [String: Int32] = [:]
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        for (i, line) in lines.enumerated() {
            let token = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
            if vocab[token] == nil { vocab[token] = Int32(i) }
        }
        let config = try JSONFile.readIfPresent(folder.appendingPathComponent("tokenizer_config.json"))
            ?? JSONFile(emptyAt: "tokenizer_config.json")
        let lowercase = try config.bool("do_lower_case") ?? true
        let normalizer = BertNormalizer(
            cleanText: true,
            handleChineseChars: try config.bool("tokenize_chinese_chars") ?? true,
            stripAccents: try config.bool("strip_accents"),
            lowercase: lowercase)
        var special: [String: Int32] = [:]
        var names: [String: String] = [:]
        for (key, fallback) in [("unk_token", "[UNK]"), ("sep_token", "[SEP]"), ("pad_token", "[PAD]"),
                                ("cls_token", "[CLS]"), ("mask_token", "[MASK]")] {
            let token = try config.string(key) ?? fallback
            names[key] = token
            guard let id = vocab[token] else {
                throw .invalidModelFile(path: vocabURL.path, reason: "special token \(token) is not in the vocabulary")
            }
            special[token] = id
        }
        let unkID = special[names["unk_token"]!]!
        return BertTokenizer(
            normalizer: normalizer,
            wordPiece: WordPiece(vocab: vocab, unkID: unkID),
            specialTokens: special,
            clsID: special[names["cls_token"]!]!, sepID: special[names["sep_token"]!]!,
            padID: special[names["pad_token"]!]!,
            maxLength: maxLength, lowercaseInput: lowercaseInput)
    }
}
