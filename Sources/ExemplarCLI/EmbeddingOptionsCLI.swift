import ExemplarEncoder
import ExemplarIndex
import ExemplarStore
import Foundation

extension Option {
    static let promptName = Option("--prompt-name", value: "NAME", help: "A prompt of the model's config_sentence_transformers.json (E5's query or passage), put before every text. Default: its default_prompt_name, if any.")
    static let prompt = Option("--prompt", value: "TEXT", help: "A prompt's text, put before every text; \"\" for none (not even the model's default).")
    static let dimensions = Option("--dimensions", value: "N", help: "Keep the first N components (Matryoshka; then L2-normalised when the model normalises). Default: the model's truncate_dim, else all.")
    static let queryPromptName = Option("--query-prompt-name", value: "NAME", help: "The prompt for queries when it is not the documents' (E5: --prompt-name passage --query-prompt-name query).")
    static let queryPrompt = Option("--query-prompt", value: "TEXT", help: "The text of the prompt for queries, when not the documents'.")
}

/// The CLI side of `EmbeddingOptions`: the options, read once, and errors named as options.
enum EmbeddingOptionsCLI {
    /// --prompt-name, --prompt, --dimensions (the last only where `dimensions` is true).
    static func read(_ args: ParsedArguments, dimensions: Bool = true) throws(UsageError) -> EmbeddingOptions {
        EmbeddingOptions(promptName: args.string(.promptName), prompt: args.string(.prompt),
                         dimensions: dimensions ? try args.int(.dimensions, range: 1...(1 << 20)) : nil)
    }

    /// --query-prompt-name, --query-prompt.
    static func readQuery(_ args: ParsedArguments) -> EmbeddingOptions {
        EmbeddingOptions(promptName: args.string(.queryPromptName), prompt: args.string(.queryPrompt))
    }

    /// `encoder` with `options` checked against it; a bad option is a usage error naming it.
    static func configure(_ encoder: SentenceEncoder, _ options: EmbeddingOptions, command: String) throws -> SentenceEncoder {
        do {
            return encoder.with(try encoder.settings(for: options))
        } catch {
            throw UsageError(command: command, message: error.description(naming: \.option))
        }
    }

    /// Rethrows an `EmbeddingOptionsError` as a usage error naming the option.
    static func naming<T>(command: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as EmbeddingOptionsError {
            throw UsageError(command: command, message: error.description(naming: \.option))
        }
    }
}
