import ExemplarData
import ExemplarEncoder
import ExemplarIndex
import ExemplarIO
import ExemplarStore
import Foundation

/// What the commands that read sentences and load the model share (their options are in Options.swift).
enum Common {
    static func loadEncoder(_ args: ParsedArguments) throws(EncoderError) -> SentenceEncoder {
        // Commands with --prompt-name etc. configure it with EmbeddingOptionsCLI.configure.
        try SentenceEncoder(folder: ModelLocator.locate(explicit: args.string(.model)))
    }

    static func readInput(_ args: ParsedArguments, command: String) throws -> [SentenceRecord] {
        let path = args.string(.input) ?? args.positionals.first ?? "-"
        if args.positionals.count > (args.string(.input) == nil ? 1 : 0) {
            throw UsageError(command: command, message: "unexpected argument \(args.positionals.last!)")
        }
        let format = try args.choice(.inputFormat, as: InputFormat.self)
            ?? InputFormat.inferred(from: path)
        return try SentenceInput.read(path: path, format: format)
    }

    /// The LM-BFF task called `name`, or a usage error listing the tasks.
    static func task(_ name: String, command: String) throws(UsageError) -> LMBFFTask {
        guard let task = LMBFFTask(name: name) else {
            throw UsageError(command: command, message: "unknown task \"\(name)\"; tasks: \(LMBFFTask.allCases.map(\.name).joined(separator: ", "))")
        }
        return task
    }

    static func threads(_ args: ParsedArguments, command: String) throws(UsageError) -> Int {
        try args.int(.threads, range: 1...1024) ?? SentenceEncoder.defaultThreads
    }
}

extension Common {
    /// The one built index folder a command names, its store opened read-only, and its manifest.
    static func builtIndex(_ args: ParsedArguments, command: String) throws -> (folder: URL, store: IndexStore, manifest: Manifest, interrupted: Bool) {
        guard args.positionals.count == 1 else {
            throw UsageError(command: command, message: "give one index folder")
        }
        let folder = URL(fileURLWithPath: args.positionals[0], isDirectory: true)
        let store = try IndexFolder.openStore(folder, create: false, readOnly: true)
        let interrupted = try store.hasInterruptedBuild()
        guard let manifest = try store.manifest() else {
            if interrupted { throw IndexError.incomplete(path: folder.relativePath) }
            throw IndexError.notAnIndex(path: folder.relativePath, reason: "it has not been built; run 'exemplar build \(folder.relativePath)'")
        }
        return (folder, store, manifest, interrupted)
    }

    /// The encoder an index was built with: --model, else index.json's model, else the
    /// default; it must be the model in the index's manifest. It embeds queries as the index
    /// says (its query prompt, its dimension); with `promptOptions`, the command's --prompt-name,
    /// --prompt (checked against the index's) and --query-prompt-name, --query-prompt (taken as given).
    static func encoder(forIndex index: LoadedIndex, folder: URL, args: ParsedArguments, promptOptions: Bool = false) throws -> SentenceEncoder {
        let definition = try? IndexDefinition.load(folder: folder)
        let path = args.string(.model) ?? definition?.model.map { IndexSource.resolvedPath($0, base: folder) }
        let encoder = try SentenceEncoder(folder: ModelLocator.locate(explicit: path))
        let prompt = promptOptions ? try EmbeddingOptionsCLI.read(args, dimensions: false) : EmbeddingOptions()
        let queryPrompt = promptOptions ? EmbeddingOptionsCLI.readQuery(args) : EmbeddingOptions()
        return try EmbeddingOptionsCLI.naming(command: args.command) {
            encoder.with(try IndexEmbedding.querySettings(encoder, manifest: index.manifest, path: folder.relativePath,
                                                          prompt: prompt, queryPrompt: queryPrompt))
        }
    }
}
