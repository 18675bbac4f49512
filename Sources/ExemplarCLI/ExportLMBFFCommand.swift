import ExemplarData
import ExemplarEncoder
import ExemplarIndex
import ExemplarIO
import ExemplarStore
import Foundation

extension Option {
    static let embeddingName = Option("--name", value: "NAME", help: "Files are SPLIT_sbert-NAME.npy (default: the model folder's name).")
    static let splits = Option("--splits", value: "A,B", help: "Only these splits (default: every split file present).")
    static let cache = Option("--cache", value: "DIR", help: "Embedding cache (LMDB). Default $EXEMPLAR_CACHE, else ~/.cache/exemplar/embedding-cache.")
}

/// `exemplar export-lmbff`: the embedding .npy files LM-BFF's run.py loads for `--demo_filter`.
enum ExportLMBFFCommand {
    static let spec = CommandSpec(
        name: "export-lmbff",
        usage: "export-lmbff --data DIR --task TASK [--name NAME] [options]",
        abstract: "Write LM-BFF's {train,dev,test}_sbert-NAME.npy demonstration-filter embeddings for a data folder.",
        discussion: """
            For each split file in DIR (an LM-BFF data folder such as data/k-shot/SST-2/16-42),
            writes DIR/SPLIT_sbert-NAME.npy: float32 [rows, dim], one row per data line in file
            order, each the embedding of the sentence LM-BFF's tools/get_sbert_embedding.py forms
            (pairs joined with a space; an empty CSV cell as ""). Then run LM-BFF with
              python run.py ... --demo --demo_filter --demo_filter_model sbert-NAME
            Vectors come from the embedding cache when they are there (--cache), so exporting
            the five seeds of a task embeds each distinct sentence once.

            EXAMPLES:
              exemplar export-lmbff --data data/k-shot/SST-2/16-42 --task SST-2
              for s in 13 21 42 87 100; do exemplar export-lmbff --data data/k-shot/RTE/16-$s --task RTE; done
            """,
        options: [
            .data.with(help: "LM-BFF data folder (train, dev, test files). Required."),
            .task.with(help: "LM-BFF task name. Required."),
            .embeddingName, .splits, .cache, .model, .batchSize, .threads,
        ])

    static func run(_ args: ParsedArguments) throws {
        guard let dataPath = args.string(.data), let taskName = args.string(.task) else {
            throw UsageError(command: spec.name, message: "--data DIR and --task TASK are required")
        }
        let task = try Common.task(taskName, command: spec.name)
        if let extra = args.positionals.first {
            throw UsageError(command: spec.name, message: "unexpected argument \(extra)")
        }
        let folder = URL(fileURLWithPath: dataPath, isDirectory: true)
        var splits = try SplitFolder.splits(in: folder, task: task)
        if let only = args.string(.splits)?.split(separator: ",").map(String.init) {
            for name in only where !splits.contains(where: { $0.name == name }) {
                throw UsageError(command: spec.name, message: "--splits: no \(name) file in \(dataPath); it has \(splits.map(\.name).joined(separator: ", "))")
            }
            splits = splits.filter { only.contains($0.name) }
        }
        // Read and check every split before embedding anything.
        let sentences = try splits.map { split in
            try DatasetReader.read(split.url, task: task).examples.map { $0.lmbffSentence(task: task) }
        }
        let encoder = try Common.loadEncoder(args)
        let name = args.string(.embeddingName) ?? encoder.folder.lastPathComponent
        let identity = try encoder.identity()
        let cacheFolder = URL(fileURLWithPath: args.string(.cache) ?? defaultCache(), isDirectory: true)
        let store: IndexStore
        do { store = try IndexStore(folder: cacheFolder) } catch { throw IndexError.store(error) }
        var embedder = CachedEmbedder(encoder: encoder, modelHash: identity.cacheHash)
        embedder.batchSize = try args.int(.batchSize, range: 1...65536) ?? 32
        embedder.threads = try Common.threads(args, command: spec.name)

        let all = sentences.flatMap { $0 }
        let progress = ProgressLine(label: "embedding", total: all.count, minimumTotal: 1)
        let (vectors, embedded): ([Float], Int)
        do {
            (vectors, embedded) = try embedder.embed(all, cache: store) { done, total in progress.update(done, total: total) }
        } catch {
            progress.finish()
            throw error
        }
        progress.finish()
        let dim = encoder.dimension
        var offset = 0
        for (split, rows) in zip(splits, sentences) {
            let url = folder.appendingPathComponent("\(split.name)_sbert-\(name).npy")
            let slice = Array(vectors[(offset * dim)..<((offset + rows.count) * dim)])
            offset += rows.count
            var out = try OutputFile(path: url.path)
            do {
                try out.write(NPY.encode(slice, rows: rows.count, columns: dim))
                try out.commit()
            } catch {
                out.discard()
                throw error
            }
            print("wrote \(url.relativePath): float32 [\(rows.count), \(dim)]")
        }
        print("\(all.count) sentences: \(embedded) embedded, \(all.count - embedded) from the cache (\(cacheFolder.path))")
        print("LM-BFF: python run.py ... --demo --demo_filter --demo_filter_model sbert-\(name)")
    }

    static func defaultCache() -> String {
        if let env = ProcessInfo.processInfo.environment["EXEMPLAR_CACHE"], !env.isEmpty { return env }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/exemplar/embedding-cache").path
    }
}
