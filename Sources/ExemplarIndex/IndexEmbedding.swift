import ExemplarEncoder
import ExemplarStore

extension IndexError {
    /// The option that asked for another prompt or dimension than the index's.
    public var field: String? {
        if case .settingsMismatch(_, _, let option) = self { return option }
        return nil
    }
}

/// How an index's texts are embedded: documents with the prompt and dimension its manifest
/// records (`model.prompt`, `model.dimension`), queries with its query prompt (`queryPrompt`,
/// else the documents'). `build`, `query`, `demos` and `serve` all take their encoders from here.
public enum IndexEmbedding {
    /// Settings for the index's documents (a build's own, online additions): the manifest's prompt
    /// and dimension. Throws `modelMismatch` unless `encoder` is the index's model.
    /// `identity` is the encoder's (with its default settings), when the caller has it: it saves hashing the weights.
    public static func documentSettings(_ encoder: SentenceEncoder, identity: ModelIdentity? = nil, manifest: Manifest, path: String) throws -> EmbeddingSettings {
        let stored = manifest.model
        let given = try identity ?? encoder.identity()
        guard stored.sameModel(as: given) else {
            throw IndexError.modelMismatch(path: path, stored: stored.summary, given: given.summary)
        }
        let full = encoder.moduleDimension
        guard stored.dimension == full || (stored.truncatedFrom == full && stored.dimension < full) else {
            throw IndexError.settingsMismatch(path: path, message: "index vectors have dimension \(stored.dimension)\(stored.truncatedFrom.map { " (truncated from \($0))" } ?? ""), but the model gives \(full); rebuild the index", option: nil)
        }
        return EmbeddingSettings(promptName: stored.promptName, prompt: stored.prompt,
                                 promptTokens: stored.prompt.map(encoder.promptLength) ?? 0, dimension: stored.dimension)
    }

    /// Throws `settingsMismatch` unless `encoder` embeds in the index's precision: documents added
    /// to an index (online additions) must not mix precisions. Queries may differ (`querySettings`).
    public static func checkDocumentPrecision(_ encoder: SentenceEncoder, manifest: Manifest, path: String) throws {
        let stored = manifest.model.precision
        guard encoder.precision.rawValue == stored else {
            throw IndexError.settingsMismatch(
                path: path,
                message: "index vectors are \(stored), but this encoder embeds in \(encoder.precision.rawValue); add to it with an encoder of the index's precision (--precision \(stored)), or rebuild it",
                option: "--precision")
        }
    }

    /// The prompt an index's queries are embedded with.
    public static func recordedQueryPrompt(_ manifest: Manifest) -> Manifest.QueryPrompt {
        manifest.queryPrompt ?? Manifest.QueryPrompt(name: manifest.model.promptName, text: manifest.model.prompt)
    }

    /// Settings for queries against the index: its recorded query prompt, at the index's dimension.
    /// `prompt` (`--prompt-name`/`--prompt`) must give that same prompt, else `settingsMismatch`
    /// naming both; `queryPrompt` (`--query-prompt-name`/`--query-prompt`) replaces it on purpose.
    public static func querySettings(_ encoder: SentenceEncoder, identity: ModelIdentity? = nil, manifest: Manifest, path: String,
                                     prompt: EmbeddingOptions = EmbeddingOptions(),
                                     queryPrompt: EmbeddingOptions = EmbeddingOptions()) throws -> EmbeddingSettings {
        var settings = try documentSettings(encoder, identity: identity, manifest: manifest, path: path)
        let recorded = recordedQueryPrompt(manifest)
        let chosen: (name: String?, text: String?)
        if queryPrompt.promptName != nil || queryPrompt.prompt != nil {
            let s = try encoder.settings(for: EmbeddingOptions(promptName: queryPrompt.promptName, prompt: queryPrompt.prompt), queryPrompt: true)
            chosen = (s.promptName, s.prompt)
        } else if prompt.promptName != nil || prompt.prompt != nil {
            let s = try encoder.settings(for: EmbeddingOptions(promptName: prompt.promptName, prompt: prompt.prompt))
            guard s.prompt == recorded.text else {
                let option = prompt.prompt != nil ? "--prompt" : "--prompt-name"
                let recordedText = EmbeddingSettings(promptName: recorded.name, prompt: recorded.text, dimension: 1).promptSummary
                let alternative = prompt.prompt != nil ? "--query-prompt \"\(prompt.prompt!)\"" : "--query-prompt-name \(prompt.promptName!)"
                throw IndexError.settingsMismatch(
                    path: path,
                    message: "index queries are embedded with \(recordedText) (documents with \(settings.promptSummary)), but \(option) gives \(s.promptSummary); leave \(option) out to use the index's, or pass \(alternative) to query with it anyway",
                    option: option)
            }
            chosen = (s.promptName, s.prompt)
        } else {
            chosen = (recorded.name, recorded.text)
        }
        settings.promptName = chosen.text == nil ? nil : chosen.name
        settings.prompt = chosen.text
        settings.promptTokens = chosen.text.map(encoder.promptLength) ?? 0
        return settings
    }

    /// Whether a build's `given` identity may replace the index's `stored` one: the same model with
    /// the same prompt and dimension, else `modelMismatch` / `settingsMismatch` naming both.
    static func checkRebuild(stored: ModelIdentity, given: ModelIdentity, path: String) throws {
        guard stored.sameModel(as: given) else {
            throw IndexError.modelMismatch(path: path, stored: stored.summary, given: given.summary)
        }
        guard stored == given else {
            throw IndexError.settingsMismatch(
                path: path,
                message: "index was built with \(stored.settingsSummary), this build asks for \(given.settingsSummary); pass --replace-model to re-embed it with the new settings, or give the index's",
                option: nil)
        }
    }
}
