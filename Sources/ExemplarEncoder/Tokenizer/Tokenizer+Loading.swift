import ExemplarJSON
import Foundation

extension Tokenizer {
    /// Loads the tokenizer of a model folder: `tokenizer.json` when present, else BERT's
    /// `vocab.txt` with `tokenizer_config.json`.
    ///
    /// `maxLength` is the model's `max_seq_length` (sentence_bert_config.json), which wins
    /// over the tokenizer's own limit. A component tokenizer.json names that is not
    /// implemented is an `EncoderError.unsupported` naming the file, the component and its
    /// JSON path, never a tokenizer that gives other ids.
    public static func load(folder: URL, maxLength: Int, lowercaseInput: Bool = false) throws(EncoderError) -> Tokenizer {
        let url = folder.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: url.path) {
            return try load(tokenizerJSON: url, maxLength: maxLength, lowercaseInput: lowercaseInput)
        }
        return try fromVocabTxt(folder: folder, maxLength: maxLength, lowercaseInput: lowercaseInput)
    }

    /// Loads one tokenizer.json; `maxLength` nil takes its `truncation.max_length`, else no limit.
    public static func load(tokenizerJSON url: URL, maxLength: Int?, lowercaseInput: Bool = false) throws(EncoderError) -> Tokenizer {
        let document = try JSONFile.document(url)
        guard case .object = document else {
            throw .invalidModelFile(path: url.path, reason: "expected a JSON object at the top level")
        }
        do {
            return try parse(TokenizerSpec(value: document, path: ""), maxLength: maxLength, lowercaseInput: lowercaseInput)
        } catch {
            if error.isUnsupported { throw .unsupported(path: url.path, reason: "tokenizer " + error.reason) }
            throw .invalidModelFile(path: url.path, reason: error.reason)
        }
    }

    static func parse(_ spec: TokenizerSpec, maxLength: Int?, lowercaseInput: Bool) throws(TokenizerConfigError) -> Tokenizer {
        guard let modelSpec = try spec.object("model") else { throw spec.invalid("model", "is missing") }
        let model = try parseModel(modelSpec)
        var added: [AddedToken] = []
        if spec.field("added_tokens") != nil {
            for t in try spec.objects("added_tokens") {
                guard let id = try t.int("id"), let id32 = Int32(exactly: id), id >= 0 else { throw t.invalid("id", "must be a non-negative integer") }
                let special = try t.bool("special") ?? false
                let normalized = try t.bool("normalized")
                added.append(AddedToken(
                    id: id32, content: try t.requireString("content"), special: special,
                    singleWord: try t.bool("single_word") ?? false, lstrip: try t.bool("lstrip") ?? false,
                    rstrip: try t.bool("rstrip") ?? false, normalized: normalized ?? !special))
            }
        }
        let lookup = { (token: String, key: String, s: TokenizerSpec) throws(TokenizerConfigError) -> Int32 in
            if let t = added.first(where: { TokenKey($0.content) == TokenKey(token) }) { return t.id }
            if let id = model.id(of: token) { return id }
            throw s.invalid(key, "names \"\(token)\", which is not in the vocabulary")
        }
        var normalizer: Normalizer?, preTokenizer: PreTokenizer?, post: PostProcessor?, decoder: TokenDecoder?
        if let s = try spec.object("normalizer") { normalizer = try parseNormalizer(s) }
        if let s = try spec.object("pre_tokenizer") { preTokenizer = try parsePreTokenizer(s) }
        if let s = try spec.object("post_processor") { post = try parsePostProcessor(s, lookup) }
        if let s = try spec.object("decoder") { decoder = try parseDecoder(s) }
        var limit = Int(Int32.max)
        if let maxLength {
            limit = maxLength
        } else if let n = try spec.object("truncation")?.int("max_length") {
            limit = n
        }
        return Tokenizer(addedTokens: added, normalizer: normalizer, preTokenizer: preTokenizer, model: model,
                         postProcessor: post, decoder: decoder, maxLength: limit, lowercaseInput: lowercaseInput)
    }

    // MARK: model

    static func parseModel(_ s: TokenizerSpec) throws(TokenizerConfigError) -> TokenizerModel {
        var type = try s.string("type")
        if type == nil {  // untagged, as tokenizers reads it
            if s.field("merges") != nil { type = "BPE" } else if case .array? = s.field("vocab") { type = "Unigram" } else { type = "WordPiece" }
        }
        switch type! {
        case "WordPiece":
            let vocab = try vocabulary(s)
            let unk = try s.string("unk_token") ?? "[UNK]"
            guard let unkID = vocab[TokenKey(unk)] else { throw s.invalid("unk_token", "\"\(unk)\" is not in the vocabulary") }
            return .wordPiece(WordPiece(vocab: vocab, unkID: unkID,
                                        continuingSubwordPrefix: try s.string("continuing_subword_prefix") ?? "##",
                                        maxInputCharsPerWord: try s.int("max_input_chars_per_word") ?? 100))
        case "BPE":
            let vocab = try vocabulary(s)
            var merges: [(String, String)] = []
            guard case .array(let items)? = s.field("merges") else { throw s.invalid("merges", "must be an array") }
            merges.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                switch item {
                case .string(let line):
                    guard let space = line.firstIndex(of: " ") else { throw TokenizerConfigError("\"\(s.name("merges"))[\(i)]\" must be two tokens separated by a space") }
                    merges.append((String(line[..<space]), String(line[line.index(after: space)...])))
                case .array(let pair) where pair.count == 2:
                    guard case .string(let a) = pair[0], case .string(let b) = pair[1] else { fallthrough }
                    merges.append((a, b))
                default:
                    throw TokenizerConfigError("\"\(s.name("merges"))[\(i)]\" must be \"a b\" or [\"a\", \"b\"]")
                }
            }
            do {
                return .bpe(try BPE(vocab: vocab, merges: merges, unkToken: try s.string("unk_token"),
                                    continuingSubwordPrefix: try s.string("continuing_subword_prefix"),
                                    endOfWordSuffix: try s.string("end_of_word_suffix"),
                                    fuseUnk: try s.bool("fuse_unk") ?? false, byteFallback: try s.bool("byte_fallback") ?? false,
                                    ignoreMerges: try s.bool("ignore_merges") ?? false))
            } catch {
                throw TokenizerConfigError("\"\(s.path)\": \(error.reason)")
            }
        case "Unigram":
            guard case .array(let items)? = s.field("vocab") else { throw s.invalid("vocab", "must be an array of [piece, score]") }
            var vocab: [(String, Double)] = []
            vocab.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                guard case .array(let pair) = item, pair.count == 2, case .string(let piece) = pair[0], case .number(let score) = pair[1] else {
                    throw TokenizerConfigError("\"\(s.name("vocab"))[\(i)]\" must be [piece, score]")
                }
                vocab.append((piece, score))
            }
            do {
                return .unigram(try Unigram(vocab: vocab, unkID: try s.int("unk_id"), byteFallback: try s.bool("byte_fallback") ?? false))
            } catch {
                throw TokenizerConfigError("\"\(s.path)\": \(error.reason)")
            }
        default:
            throw s.unknownType("model", type!, implemented: ["WordPiece", "BPE", "Unigram"])
        }
    }

    static func vocabulary(_ s: TokenizerSpec) throws(TokenizerConfigError) -> [TokenKey: Int32] {
        guard case .object(let raw)? = s.field("vocab") else { throw s.invalid("vocab", "must be an object of token ids") }
        var vocab: [TokenKey: Int32] = [:]
        vocab.reserveCapacity(raw.count)
        for (token, value) in raw {
            guard case .number(let n) = value, let id = Int32(exactly: n), id >= 0 else {
                throw TokenizerConfigError("vocabulary entry \"\(token)\" has no integer id")
            }
            vocab[TokenKey(token)] = id
        }
        return vocab
    }

    // MARK: normalizer

    static let normalizerTypes = ["BertNormalizer", "Precompiled", "NFC", "NFD", "NFKC", "NFKD", "Lowercase", "Strip",
                                  "StripAccents", "Replace", "Prepend", "ByteLevel", "Sequence"]

    static func parseNormalizer(_ s: TokenizerSpec) throws(TokenizerConfigError) -> Normalizer {
        let type = try s.type("normalizer")
        switch type {
        case "BertNormalizer":
            return .bert(BertNormalizer(cleanText: try s.bool("clean_text") ?? true,
                                        handleChineseChars: try s.bool("handle_chinese_chars") ?? true,
                                        stripAccents: try s.bool("strip_accents"), lowercase: try s.bool("lowercase") ?? true))
        case "Precompiled":
            guard let blob = try s.string("precompiled_charsmap"), !blob.isEmpty else { return .sequence([]) }
            do {
                return .precompiled(try PrecompiledCharsMap(base64: blob))
            } catch {
                throw TokenizerConfigError("\"\(s.name("precompiled_charsmap"))\": \(error.reason)")
            }
        case "NFC": return .nfc
        case "NFD": return .nfd
        case "NFKC": return .nfkc
        case "NFKD": return .nfkd
        case "Lowercase": return .lowercase
        case "StripAccents": return .stripAccents
        case "ByteLevel": return .byteLevel
        case "Strip":
            return .strip(left: try s.bool("strip_left") ?? true, right: try s.bool("strip_right") ?? true)
        case "Replace":
            return .replace(try s.pattern("pattern"), content: Array(try s.requireString("content").unicodeScalars))
        case "Prepend":
            return .prepend(Array(try s.requireString("prepend").unicodeScalars))
        case "Sequence":
            var steps: [Normalizer] = []
            for n in try s.objects("normalizers") { steps.append(try parseNormalizer(n)) }
            return .sequence(steps)
        default:
            throw s.unknownType("normalizer", type, implemented: normalizerTypes)
        }
    }

    // MARK: pre-tokenizer

    static let preTokenizerTypes = ["BertPreTokenizer", "ByteLevel", "Metaspace", "Whitespace", "WhitespaceSplit",
                                    "Punctuation", "Split", "Digits", "CharDelimiterSplit", "Sequence"]

    static func behavior(_ s: TokenizerSpec, default fallback: SplitBehavior) throws(TokenizerConfigError) -> SplitBehavior {
        guard let raw = try s.string("behavior") else { return fallback }
        guard let b = SplitBehavior(rawValue: raw) else {
            throw s.invalid("behavior", "must be one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous")
        }
        return b
    }

    static func prependScheme(_ s: TokenizerSpec) throws(TokenizerConfigError) -> PreTokenizer.PrependScheme {
        if let raw = try s.string("prepend_scheme") {
            guard let scheme = PreTokenizer.PrependScheme(rawValue: raw) else {
                throw s.invalid("prepend_scheme", "must be always, first or never")
            }
            return scheme
        }
        return try s.bool("add_prefix_space") ?? true ? .always : .never
    }

    static func parsePreTokenizer(_ s: TokenizerSpec) throws(TokenizerConfigError) -> PreTokenizer {
        let type = try s.type("pre_tokenizer")
        switch type {
        case "BertPreTokenizer": return .bert
        case "ByteLevel":
            return .byteLevel(addPrefixSpace: try s.bool("add_prefix_space") ?? true, useRegex: try s.bool("use_regex") ?? true)
        case "Metaspace":
            return .metaspace(replacement: try s.scalar("replacement", default: "\u{2581}"), prepend: try prependScheme(s),
                              split: try s.bool("split") ?? true)
        case "Whitespace": return .whitespace
        case "WhitespaceSplit": return .whitespaceSplit
        case "Punctuation": return .punctuation(try behavior(s, default: .isolated))
        case "Split":
            return .split(try s.pattern("pattern"), try behavior(s, default: .isolated), invert: try s.bool("invert") ?? false)
        case "Digits": return .digits(individually: try s.bool("individual_digits") ?? false)
        case "CharDelimiterSplit": return .delimiter(try s.scalar("delimiter", default: " "))
        case "Sequence":
            var steps: [PreTokenizer] = []
            for p in try s.objects("pretokenizers") { steps.append(try parsePreTokenizer(p)) }
            return .sequence(steps)
        default:
            throw s.unknownType("pre_tokenizer", type, implemented: preTokenizerTypes)
        }
    }

    // MARK: post-processor

    static func parsePostProcessor(_ s: TokenizerSpec, _ lookup: (String, String, TokenizerSpec) throws(TokenizerConfigError) -> Int32) throws(TokenizerConfigError) -> PostProcessor {
        let type = try s.type("post_processor")
        func pair(_ key: String, _ fallback: String) throws(TokenizerConfigError) -> Int32 {
            guard let v = s.field(key) else { return try lookup(fallback, key, s) }
            guard case .array(let items) = v, items.count == 2, case .number(let n) = items[1], let id = Int32(exactly: n) else {
                throw s.invalid(key, "must be [token, id]")
            }
            return id
        }
        switch type {
        case "BertProcessing": return .bert(cls: try pair("cls", "[CLS]"), sep: try pair("sep", "[SEP]"))
        case "RobertaProcessing": return .roberta(cls: try pair("cls", "<s>"), sep: try pair("sep", "</s>"))
        case "ByteLevel": return .byteLevel
        case "TemplateProcessing":
            var specials: [String: [Int32]] = [:]
            if let table = try s.object("special_tokens"), case .object(let fields) = table.value {
                for (name, value) in fields {
                    let entry = TokenizerSpec(value: value, path: table.name(name))
                    guard case .array(let ids)? = entry.field("ids") else { throw entry.invalid("ids", "must be an array of ids") }
                    var out: [Int32] = []
                    for id in ids {
                        guard case .number(let n) = id, let i = Int32(exactly: n) else { throw entry.invalid("ids", "must be an array of ids") }
                        out.append(i)
                    }
                    specials[name] = out
                }
            }
            func template(_ key: String) throws(TokenizerConfigError) -> [PostProcessor.TemplatePiece] {
                guard let v = s.field(key) else { return [.sequenceA] }
                guard case .array(let items) = v else { throw s.invalid(key, "must be an array") }
                var out: [PostProcessor.TemplatePiece] = []
                for (i, item) in items.enumerated() {
                    let piece = TokenizerSpec(value: item, path: "\(s.name(key))[\(i)]")
                    if let special = try piece.object("SpecialToken") {
                        let name = try special.requireString("id")
                        guard let ids = specials[name] else { throw special.invalid("id", "names \"\(name)\", which is not in special_tokens") }
                        out.append(.special(ids))
                    } else if let sequence = try piece.object("Sequence") {
                        out.append(try sequence.requireString("id") == "B" ? .sequenceB : .sequenceA)
                    } else {
                        throw TokenizerConfigError("\"\(piece.path)\" must be {\"SpecialToken\": ...} or {\"Sequence\": ...}")
                    }
                }
                return out
            }
            return .template(single: try template("single"), pair: try template("pair"))
        case "Sequence":
            var steps: [PostProcessor] = []
            for p in try s.objects("processors") { steps.append(try parsePostProcessor(p, lookup)) }
            return .sequence(steps)
        default:
            throw s.unknownType("post_processor", type, implemented: ["BertProcessing", "RobertaProcessing", "TemplateProcessing", "ByteLevel", "Sequence"])
        }
    }

    // MARK: decoder

    static func parseDecoder(_ s: TokenizerSpec) throws(TokenizerConfigError) -> TokenDecoder {
        let type = try s.type("decoder")
        switch type {
        case "ByteLevel": return .byteLevel
        case "WordPiece": return .wordPiece(prefix: try s.string("prefix") ?? "##", cleanup: try s.bool("cleanup") ?? true)
        case "Metaspace":
            return .metaspace(replacement: try s.scalar("replacement", default: "\u{2581}"), prependScheme: try prependScheme(s))
        case "BPEDecoder": return .bpe(suffix: try s.string("suffix") ?? "</w>")
        case "Replace": return .replace(try s.pattern("pattern"), content: Array(try s.requireString("content").unicodeScalars))
        case "ByteFallback": return .byteFallback
        case "Fuse": return .fuse
        case "Strip":
            return .strip(content: try s.scalar("content", default: " "), start: try s.int("start") ?? 0, stop: try s.int("stop") ?? 0)
        case "Sequence":
            var steps: [TokenDecoder] = []
            for d in try s.objects("decoders") { steps.append(try parseDecoder(d)) }
            return .sequence(steps)
        default:
            throw s.unknownType("decoder", type, implemented: ["ByteLevel", "WordPiece", "Metaspace", "BPEDecoder", "Replace",
                                                              "ByteFallback", "Fuse", "Strip", "Sequence"])
        }
    }

    // MARK: vocab.txt

    static func fromVocabTxt(folder: URL, maxLength: Int, lowercaseInput: Bool) throws(EncoderError) -> Tokenizer {
        let vocabURL = folder.appendingPathComponent("vocab.txt")
        guard let data = FileManager.default.contents(atPath: vocabURL.path) else {
            throw .missingFile(path: folder.appendingPathComponent("tokenizer.json").path + " (or vocab.txt)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .invalidModelFile(path: vocabURL.path, reason: "not valid UTF-8")
        }
        var vocab: [TokenKey: Int32] = [:]
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        for (i, line) in lines.enumerated() {
            let token = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
            if vocab[TokenKey(token)] == nil { vocab[TokenKey(token)] = Int32(i) }
        }
        let config = try JSONFile.readIfPresent(folder.appendingPathComponent("tokenizer_config.json"))
            ?? JSONFile(emptyAt: "tokenizer_config.json")
        let normalizer = BertNormalizer(
            cleanText: true,
            handleChineseChars: try config.bool("tokenize_chinese_chars") ?? true,
            stripAccents: try config.bool("strip_accents"),
            lowercase: try config.bool("do_lower_case") ?? true)
        var ids: [String: Int32] = [:]
        var added: [AddedToken] = []
        for (key, fallback) in [("pad_token", "[PAD]"), ("unk_token", "[UNK]"), ("cls_token", "[CLS]"),
                                ("sep_token", "[SEP]"), ("mask_token", "[MASK]")] {
            let token = try config.string(key) ?? fallback
            guard let id = vocab[TokenKey(token)] else {
                throw .invalidModelFile(path: vocabURL.path, reason: "special token \(token) is not in the vocabulary")
            }
            ids[key] = id
            if !added.contains(where: { TokenKey($0.content) == TokenKey(token) }) {
                added.append(AddedToken(id: id, content: token, special: true, normalized: false))
            }
        }
        return Tokenizer(
            addedTokens: added, normalizer: .bert(normalizer), preTokenizer: .bert,
            model: .wordPiece(WordPiece(vocab: vocab, unkID: ids["unk_token"]!)),
            postProcessor: .bert(cls: ids["cls_token"]!, sep: ids["sep_token"]!),
            decoder: .wordPiece(prefix: "##", cleanup: true),
            maxLength: maxLength, lowercaseInput: lowercaseInput)
    }
}
