import ExemplarCore

/// A problem with a template, its label words or the sentences given to it; each names the culprit.
public enum TemplateError: ExemplarError, Hashable {
    public var exitCode: Int32 { 2 }

    /// A `*…*` variable the template language does not have.
    case unknownToken(String, template: String)
    /// An odd number of `*`: a variable is never closed.
    case unbalancedStar(template: String)
    /// The template uses a sentence (`*sent_3*`) that the inputs do not provide.
    case missingSentence(token: String, provided: Int)
    /// The template uses `*label_i*` or `*labelx_i*` for a label or demonstration that does not exist.
    case missingLabel(token: String, labels: Int)
    /// The label words lack a word for this label.
    case labelWordMissing(label: String, mapping: [String])
    /// The label words name a label the task does not have.
    case labelNotInTask(label: String, known: [String])
    /// A query or demonstration has a different number of sentences than the template expects.
    case sentenceCountMismatch(what: String, expected: Int, found: Int)
    /// The per-label layout needs `expected` demonstrations of this label.
    case demonstrationCountMismatch(label: String, expected: Int, found: Int)
    /// A demonstration's label group is outside the label words.
    case demonstrationLabelOutOfRange(group: Int, labels: Int)
    /// The in-context layout needs exactly `expected` demonstrations.
    case inContextCountMismatch(expected: Int, found: Int)
    /// Label words text that is not a JSON (or Python) object of strings.
    case invalidLabelWords(String)
    /// `first_sent_limit` / `other_sent_limit` cut tokens, so they need a tokenizer.
    case truncationNeedsTokenizer
    /// An option out of range, e.g. a negative sentence limit.
    case invalidOption(option: String, value: String, expected: String)
    /// A label word that is not one token of the target tokenizer (LM-BFF asserts it is).
    case labelWordNotOneToken(word: String, tokens: [String])
    /// A token the context needs (special token, label word) is not in the tokenizer's vocabulary.
    case tokenNotInVocabulary(token: String, what: String)
    /// The tail (or head) cut at `maxLength` removed the mask token.
    case maskCutOff(maxLength: Int)

    /// The request field at fault: the label words, or the template.
    public var field: String? {
        switch self {
        case .labelWordMissing, .labelNotInTask, .invalidLabelWords, .labelWordNotOneToken: "label_words"
        case .tokenNotInVocabulary: "tokenizer"
        case .maskCutOff: "max_seq_length"
        default: "template"
        }
    }

    public var description: String {
        switch self {
        case let .unknownToken(token, template):
            return "unknown template token *\(token)* in \"\(template)\"; known: *cls*, *mask*, *sep*, *sep+*, *label_i*, *labelx_i*, *sent_i*, *+sent_i*, *sent-_i*, *sentl_i*, *+sentl_i*, *sentl-_i*, *sentu_i*, *+sentu_i* (literal text goes between variables, `_` for a space)"
        case let .unbalancedStar(template):
            return "template \"\(template)\" has an odd number of `*`: every variable is written *name*"
        case let .missingSentence(token, provided):
            return "template token *\(token)* needs sentence \(token.split(separator: "_").last ?? "") but only \(provided) sentence(s) are given (sentences count from 0; the task may have fewer)"
        case let .missingLabel(token, labels):
            return "template token *\(token)* names a label or demonstration that does not exist (there are \(labels))"
        case let .labelWordMissing(label, mapping):
            return "the label words have no word for label \"\(label)\" (they map \(mapping.map { "\"\($0)\"" }.joined(separator: ", "))); add \"\(label)\": \"word\""
        case let .labelNotInTask(label, known):
            return "the label words map \"\(label)\", which is not a label of the task (labels: \(known.map { "\"\($0)\"" }.joined(separator: ", ")))"
        case let .sentenceCountMismatch(what, expected, found):
            return "\(what) has \(found) sentence(s) but the template uses \(expected)"
        case let .demonstrationCountMismatch(label, expected, found):
            return "label \"\(label)\" has \(found) demonstration(s); the context needs \(expected) per label"
        case let .demonstrationLabelOutOfRange(group, labels):
            return "a demonstration has label group \(group) but there are only \(labels) labels"
        case let .inContextCountMismatch(expected, found):
            return "the in-context template has \(expected) demonstration slot(s) but \(found) demonstration(s) were given"
        case let .invalidLabelWords(text):
            return "label words \(text) are not an object of label to word, e.g. {\"0\":\"terrible\",\"1\":\"great\"}"
        case .truncationNeedsTokenizer:
            return "first_sent_limit / other_sent_limit count tokens: give the renderer a tokenizer, or drop the limits"
        case let .invalidOption(option, value, expected):
            return "\(option) \(value) is invalid: it must be \(expected)"
        case let .labelWordNotOneToken(word, tokens):
            return "label word \"\(word)\" is \(tokens.count) tokens of the target tokenizer (\(tokens.map { "\"\($0)\"" }.joined(separator: " "))); LM-BFF needs \" \(word)\" to be one token: choose another word"
        case let .tokenNotInVocabulary(token, what):
            return "the tokenizer has no token \"\(token)\" (\(what)); give the target LM's tokenizer, or special tokens it has (--special-tokens roberta|bert)"
        case let .maskCutOff(maxLength):
            return "the context is longer than max_seq_length \(maxLength) tokens and the cut removed its mask token (LM-BFF fails here); raise max_seq_length, use sentence limits, or cut the head (truncate_head)"
        }
    }
}
