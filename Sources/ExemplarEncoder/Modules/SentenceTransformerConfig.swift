import Foundation

/// A model folder's `config_sentence_transformers.json`: its named prompts (E5's and BGE's
/// `query: ` / `passage: `), the one used by default, and a Matryoshka `truncate_dim`.
public struct SentenceTransformerConfig: Sendable, Equatable {
    /// Prompt names and texts, in the file's order.
    public var prompts: [(name: String, text: String)]
    /// The prompt sentence-transformers' `encode` uses when given none.
    public var defaultPromptName: String?
    /// The dimension vectors are cut to when no other is asked for (sentence-transformers takes it as
    /// `SentenceTransformer(truncate_dim=)`; some folders record it here).
    public var truncateDim: Int?

    public init(prompts: [(name: String, text: String)] = [], defaultPromptName: String? = nil, truncateDim: Int? = nil) {
        self.prompts = prompts
        self.defaultPromptName = defaultPromptName
        self.truncateDim = truncateDim
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.prompts.map(\.name) == b.prompts.map(\.name) && a.prompts.map(\.text) == b.prompts.map(\.text)
            && a.defaultPromptName == b.defaultPromptName && a.truncateDim == b.truncateDim
    }

    /// The text of the prompt called `name`.
    public func prompt(named name: String) -> String? {
        prompts.first { $0.name == name }?.text
    }

    /// Reads `folder/config_sentence_transformers.json`; an absent file means no prompts.
    static func load(folder: URL) throws(EncoderError) -> SentenceTransformerConfig {
        let url = folder.appendingPathComponent("config_sentence_transformers.json")
        guard let file = try JSONFile.readIfPresent(url) else { return SentenceTransformerConfig() }
        var config = SentenceTransformerConfig()
        if let prompts = try file.object("prompts") {
            for name in prompts.reader.keys {
                guard let text = try prompts.string(name) else { continue }  // null: no such prompt
                config.prompts.append((name, text))
            }
        }
        config.defaultPromptName = try file.string("default_prompt_name")
        if let name = config.defaultPromptName, config.prompt(named: name) == nil {
            throw file.error("default_prompt_name", "names \"\(name)\", which is not in \"prompts\" (\(config.prompts.map(\.name).joined(separator: ", ")))")
        }
        if let n = try file.int("truncate_dim") {
            guard n >= 1 else { throw file.error("truncate_dim", "must be at least 1") }
            config.truncateDim = n
        }
        return config
    }
}
