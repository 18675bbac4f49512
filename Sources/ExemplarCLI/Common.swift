import ExemplarData
import ExemplarEncoder
import ExemplarIndex
import ExemplarIO
import ExemplarStore
import Foundation

/// What the commands that read sentences and load the model share (their options are in Options.swift).
enum Common {
    static func loadEncoder(_ args: ParsedArguments) throws -> SentenceEncoder {
        // Commands with --prompt-name etc. configure it with EmbeddingOptionsCLI.configure.
        try loadEncoder(folder: ModelLocator.locate(explicit: args.string(.model)), precision: precision(args) ?? .fp32)
    }

    /// --precision, where the command declares it (nil: not given, or not an option of the command).
    static func precision(_ args: ParsedArguments) throws(UsageError) -> Precision? {
        guard args.spec.options.contains(where: { $0.name == Option.precision.name }) else { return nil }
        return try args.choice(.precision, as: Precision.self)
    }

    /// The encoder in `folder` at `precision`; says on standard error when this CPU runs another.
    static func loadEncoder(folder: URL, precision: Precision) throws(EncoderError) -> SentenceEncoder {
        let encoder = try SentenceEncoder(folder: folder, precision: precision)
        if encoder.precision != precision {
            FileHandle.standardError.write(Data("exemplar: note: this CPU has no \(precision.requiredFeature) for --precision \(precision.rawValue); embedding in \(encoder.precision.rawValue)\n".utf8))
        }
        return encoder
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
        // --precision, else the index's own; queries of another precision than the documents' are
        // searched all the same (the vectors are close), with a warning.
        let stored = Precision(rawValue: index.manifest.model.precision) ?? .fp32
        let encoder = try loadEncoder(folder: ModelLocator.locate(explicit: path), precision: try precision(args) ?? stored)
        if encoder.precision.rawValue != index.manifest.model.precision {
            FileHandle.standardError.write(Data("exemplar: warning: \(folder.relativePath) holds \(index.manifest.model.precision) vectors; queries are embedded in \(encoder.precision.rawValue), so scores differ slightly from the index's own precision\n".utf8))
        }
        let prompt = promptOptions ? try EmbeddingOptionsCLI.read(args, dimensions: false) : EmbeddingOptions()
        let queryPrompt = promptOptions ? EmbeddingOptionsCLI.readQuery(args) : EmbeddingOptions()
        return try EmbeddingOptionsCLI.naming(command: args.command) {
            encoder.with(try IndexEmbedding.querySettings(encoder, manifest: index.manifest, path: folder.relativePath,
                                                          prompt: prompt, queryPrompt: queryPrompt))
        }
    }
}
