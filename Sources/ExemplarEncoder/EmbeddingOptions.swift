import ExemplarCore
import ExemplarKernels

/// What to embed texts with beyond the model itself: a prompt (by name from the model's
/// `config_sentence_transformers.json`, or as text) and a Matryoshka dimension.
///
/// `exemplar embed|build|query|demos` (`--prompt-name`, `--prompt`, `--dimensions`) and the
/// service's embedding routes (`prompt_name`, `prompt`, `dimensions`) decode into this one
/// value; `SentenceEncoder.settings(for:)` checks it against the model.
public struct EmbeddingOptions: Sendable, Hashable {
    /// A prompt of the model's `prompts`; nil: the model's `default_prompt_name`, if any.
    public var promptName: String?
    /// A prompt's text, put before every input; `""` means no prompt (not even the default).
    public var prompt: String?
    /// Keep the first N components (then L2-normalise, when the model normalises); nil: the
    /// model's `truncate_dim`, else all.
    public var dimensions: Int?

    public init(promptName: String? = nil, prompt: String? = nil, dimensions: Int? = nil) {
        self.promptName = promptName
        self.prompt = prompt
        self.dimensions = dimensions
    }

    /// Each option's names: `json` in requests, `option` on the command line.
    public enum Parameter: String, Sendable, CaseIterable {
        case promptName = "prompt_name", prompt, dimensions
        case queryPromptName = "query_prompt_name", queryPrompt = "query_prompt"

        /// The JSON field name.
        public var json: String { rawValue }
        /// The command-line option.
        public var option: String { "--" + rawValue.replacingOccurrences(of: "_", with: "-") }
    }
}

/// `EmbeddingOptions` resolved against one model: the prompt text, its length in tokens, the dimension.
public struct EmbeddingSettings: Sendable, Hashable {
    /// The prompt's name in the model's prompts, when it came from there.
    public var promptName: String?
    /// The text put before every input; nil: none.
    public var prompt: String?
    /// The prompt's tokens (sentence-transformers' `prompt_length`: its ids without a trailing
    /// special token); pooling leaves them out when the model's `include_prompt` is false.
    public var promptTokens: Int
    /// Length of each output vector.
    public var dimension: Int

    public init(promptName: String? = nil, prompt: String? = nil, promptTokens: Int = 0, dimension: Int) {
        self.promptName = promptName
        self.prompt = prompt
        self.promptTokens = promptTokens
        self.dimension = dimension
    }

    /// The prompt for messages: `prompt_name "query" ("query: ")`, `prompt "Represent: "`, or `no prompt`.
    public var promptSummary: String {
        guard let prompt else { return "no prompt" }
        if let promptName { return "prompt_name \"\(promptName)\" (\"\(prompt)\")" }
        return "prompt \"\(prompt)\""
    }

    /// The text the model sees for `text`: sentence-transformers' `prompt + text`.
    public func apply(to text: String) -> String {
        prompt.map { $0 + text } ?? text
    }
}

/// An `EmbeddingOptions` value the model cannot honour.
public enum EmbeddingOptionsError: ExemplarError, Equatable {
    case invalid(EmbeddingOptions.Parameter, value: String, reason: String)

    public var exitCode: Int32 { 2 }
    public var field: String? {
        switch self { case .invalid(let parameter, _, _): parameter.json }
    }

    /// The description with the parameter named as `name` gives it (`\.option` on the command line, `\.json` over HTTP).
    public func description(naming name: (EmbeddingOptions.Parameter) -> String) -> String {
        switch self {
        case let .invalid(parameter, value, reason): "\(name(parameter)) \(value): \(reason)"
        }
    }

    public var description: String { description(naming: \.json) }
}

extension SentenceEncoder {
    /// `options` checked against this model: an unknown prompt name lists the model's prompts,
    /// a dimension outside `1...` the model's lists the range. `promptParameter` names the prompt
    /// options in errors (`--query-prompt-name` for a query prompt).
    public func settings(for options: EmbeddingOptions, queryPrompt: Bool = false) throws(EmbeddingOptionsError) -> EmbeddingSettings {
        let nameParameter: EmbeddingOptions.Parameter = queryPrompt ? .queryPromptName : .promptName
        let textParameter: EmbeddingOptions.Parameter = queryPrompt ? .queryPrompt : .prompt
        var name: String?, text: String?
        if let given = options.prompt {
            if let other = options.promptName {
                throw .invalid(textParameter, value: "\"\(given)\"", reason: "give \(nameParameter.option) (\"\(other)\") or \(textParameter.option), not both")
            }
            text = given
        } else if let given = options.promptName {
            guard let found = modelConfig.prompt(named: given) else {
                let known = modelConfig.prompts.map { "\"\($0.name)\"" }.joined(separator: ", ")
                throw .invalid(nameParameter, value: "\"\(given)\"", reason: known.isEmpty
                    ? "the model \(folder.lastPathComponent) has no prompts (config_sentence_transformers.json); give the text with \(textParameter.option)"
                    : "not a prompt of the model \(folder.lastPathComponent); its prompts are \(known)")
            }
            (name, text) = (given, found)
        } else if let fallback = modelConfig.defaultPromptName {
            (name, text) = (fallback, modelConfig.prompt(named: fallback))
        }
        // sentence-transformers applies a prompt only when it is non-empty (`if prompt`).
        if text?.isEmpty ?? true { (name, text) = (nil, nil) }
        let full = moduleDimension
        let dimension = options.dimensions ?? modelConfig.truncateDim.map { min($0, full) } ?? full
        guard (1...full).contains(dimension) else {
            throw .invalid(.dimensions, value: "\(dimension)", reason: "must be in 1...\(full) (the model's dimension is \(full))")
        }
        return EmbeddingSettings(promptName: name, prompt: text, promptTokens: text.map(promptLength) ?? 0, dimension: dimension)
    }

    /// This encoder embedding with `settings` (`encode`, `tokenize`, `dimension` and `identity` follow them).
    public func with(_ settings: EmbeddingSettings) -> SentenceEncoder {
        var copy = self
        copy.settings = settings
        return copy
    }

    /// sentence-transformers' `prompt_length`: the prompt's ids, less a trailing special token.
    public func promptLength(_ prompt: String) -> Int {
        let ids = tokenizer.encode(prompt), empty = tokenizer.encode("")
        // The tokenizer's trailing special token is the last id it gives an empty text.
        return ids.count - (ids.last != nil && ids.last == empty.last ? 1 : 0)
    }

    /// The first `dimension` components of `vector`, L2-normalised again when the model
    /// normalises (sentence-transformers' `truncate_dim`, then `normalize_embeddings`).
    public func truncated(_ vector: [Float], to dimension: Int) -> [Float] {
        guard dimension < vector.count else { return vector }
        var v = Array(vector.prefix(dimension))
        if normalize { Vectors.normalize(&v) }
        return v
    }
}
