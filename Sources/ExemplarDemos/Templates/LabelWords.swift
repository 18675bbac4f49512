import ExemplarJSON
import Foundation

/// The word for each label group, in label order (LM-BFF's `--mapping`, e.g. `{"0":"terrible","1":"great"}`).
public struct LabelWords: Sendable, Hashable {
    /// The words in group order.
    public let words: [String]
    /// The group names (labels, or `"0"`/`"1"` for regression), in order.
    public let labels: [String]

    /// Words from a label → word mapping; every label needs a word and every key must be a label.
    public init(_ mapping: [String: String], labels grouping: DemoLabels) throws(TemplateError) {
        let names = grouping.groupNames
        for key in mapping.keys.sorted() where !names.contains(key) {
            throw .labelNotInTask(label: key, known: names)
        }
        var words: [String] = []
        for name in names {
            guard let word = mapping[name] else { throw .labelWordMissing(label: name, mapping: mapping.keys.sorted()) }
            words.append(word)
        }
        self.words = words
        self.labels = names
    }

    /// Words from JSON (`{"0":"terrible","1":"great"}`) or LM-BFF's Python form (`{'0':'terrible','1':'great'}`).
    public init(parsing text: String, labels grouping: DemoLabels) throws(TemplateError) {
        let json = text.contains("\"") ? text : text.replacingOccurrences(of: "'", with: "\"")
        guard case .object(let fields)? = try? JSONParser.parse(json) else {
            throw .invalidLabelWords(text)
        }
        var mapping: [String: String] = [:]
        for (key, value) in fields {
            guard case .string(let word) = value else { throw .invalidLabelWords(text) }
            mapping[key] = word
        }
        try self.init(mapping, labels: grouping)
    }

    /// The text a label word adds to the context: LM-BFF tokenizes `" " + word` (RoBERTa's
    /// space-prefixed word) unless the word starts with `<`, `[`, `.` or `,`.
    func rendered(_ group: Int) -> String {
        let word = words[group]
        guard let first = word.first else { return word }
        return "<[.,".contains(first) ? word : " " + word
    }
}

/// The special tokens a rendered context uses.
public struct SpecialTokens: Sendable, Hashable {
    public var cls: String
    public var sep: String
    public var mask: String

    public init(cls: String, sep: String, mask: String) {
        self.cls = cls
        self.sep = sep
        self.mask = mask
    }

    /// RoBERTa's `<s>`, `</s>`, `<mask>` (LM-BFF's default model, roberta-large).
    public static let roberta = SpecialTokens(cls: "<s>", sep: "</s>", mask: "<mask>")
    /// BERT's `[CLS]`, `[SEP]`, `[MASK]`.
    public static let bert = SpecialTokens(cls: "[CLS]", sep: "[SEP]", mask: "[MASK]")
}

/// A tokenizer for sentence limits (`first_sent_limit`, `other_sent_limit`): any model's
/// tokenizer can be plugged in (ExemplarDemos' `ModelTokenizer` wraps any encoder tokenizer).
public protocol TemplateTokenizer: Sendable {
    /// The tokens of `text` without special tokens (`tokenizer.encode(text, add_special_tokens=False)`).
    func tokenize(_ text: String) -> [String]
    /// The text that `tokens`, a prefix of some `tokenize(text)`, stand for.
    func detokenize(_ tokens: [String]) -> String
}
