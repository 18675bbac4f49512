import ExemplarANN
import ExemplarData
import ExemplarEncoder
import ExemplarIndex
import ExemplarJSON
import ExemplarIO
import ExemplarStore
import Foundation

extension Option {
    static let format = Option("--format", value: "F", help: "lmbff (needs --task), jsonl, csv or tsv. Default: lmbff with --task, else by extension.")
    static let textColumn = Option("--text-column", value: "NAME", help: "Text field/column for jsonl/csv/tsv (default text).")
    static let textBColumn = Option("--text-b-column", value: "NAME", help: "Second-sentence field/column of a pair task.")
    static let labelColumn = Option("--label-column", value: "NAME", help: "Label field/column (default label).")
    static let labels = Option("--labels", value: "A,B,...", help: "Label list in per-class order (default: the task's, else the data's, sorted).")
    static let out = Option("--out", value: "INDEX", help: "Index folder to create (with --data).")
    static let skipBadRows = Option("--skip-bad-rows", help: "Leave out malformed rows, counting and listing them, instead of failing.")
    static let replaceModel = Option("--replace-model", help: "Rebuild an index that was built with another model.")
    static let rebuild = Option("--rebuild", help: "Rebuild a damaged index from its data files beside it, reusing the cached vectors that read back; the damaged store is kept as data.damaged-TIME.")
    static let chunkSize = Option("--chunk-size", value: "N", help: "Texts embedded between commits: the most a killed build loses (default 512).")
    static let vectors = Option("--vectors", value: "FILE.npy", help: "Take the vectors from this float32 .npy (rows = the data's rows, in order) instead of embedding; {split} in the name means one file per split (LM-BFF's {split}_sbert-NAME.npy). The model is still needed: it names the vectors and 8 rows per file are checked against it.")
    static let vectorsCheck = Option("--vectors-check", value: "N", help: "Rows per --vectors file re-embedded and compared with the model (default 8; 0 trusts the file, e.g. for synthetic vectors).")
    static let ann = Option("--ann", value: "KIND", help: "Also build approximate (faiss) search for large partitions: hnsw, ivf-flat, ivf-sq8, or none to remove it. Default: as last built.")
    static let annMinRows = Option("--ann-min-rows", value: "N", help: "Partitions (split, label) with fewer rows stay exact (default 50000).")
    static let annLists = Option("--ann-lists", value: "N", help: "IVF lists per partition (default 4·√rows).")
    static let annLinks = Option("--ann-links", value: "M", help: "HNSW links per node (default 32).")
    static let shard = Option("--shard", value: "I/N", help: "Embed only shard I of N (0-based) of the data into INDEX/shards/ and stop: no index is written. Run the N shards anywhere that sees INDEX, then 'exemplar merge INDEX'.")
}

/// `exemplar build`: turns a labelled dataset into an index (LMDB) in an index folder.
enum BuildCommand {
    static let spec = CommandSpec(
        name: "build",
        usage: "build INDEX [options]   or   build --data PATH (--task T | --format F ...) --out INDEX [options]",
        abstract: "Build (or update) an index from its index.json, embedding only texts it has not embedded before.",
        discussion: """
            INDEX is a folder holding index.json; the built LMDB files go in INDEX/data/. With
            --data and --out, index.json is written first from the flags, then built. Rebuilding
            an unchanged index does nothing; after a data change only new texts are embedded
            (the embedding cache is kept per model). A build killed at any moment keeps the
            previous complete index and resumes from what it had embedded.

            index.json fields: data (file or LM-BFF folder, relative to INDEX), task (an LM-BFF
            task: implies format, columns, labels), format (lmbff|jsonl|csv|tsv), text_column,
            text_b_column, label_column, labels, split (for a single file; default train),
            model, skip_bad_rows, prompt_name, prompt, dimensions, query_prompt_name,
            query_prompt (the options of the same names override them).

            PROMPTS AND DIMENSIONS: documents are embedded with --prompt-name (a prompt of the
            model's config_sentence_transformers.json; default its default_prompt_name) or
            --prompt TEXT, at --dimensions N (Matryoshka truncation). Queries (query, demos,
            serve) use the same prompt unless --query-prompt-name/--query-prompt records
            another: E5 is --prompt-name passage --query-prompt-name query. The manifest records
            them; rebuilding with others needs --replace-model.

            EXAMPLES:
              exemplar build indexes/sst-2
              exemplar build --data data/k-shot/SST-2/16-42 --task SST-2 --out indexes/sst2-16-42
              exemplar build --data reviews.jsonl --labels neg,pos --out indexes/reviews
              exemplar build indexes/faq --model e5-small --prompt-name passage --query-prompt-name query
              exemplar build indexes/pool --ann hnsw --ann-min-rows 100000
              exemplar build --data pool.jsonl --out indexes/pool --vectors pool-vectors.npy
              exemplar build indexes/sst-2 --vectors 'data/k-shot/SST-2/16-42/{split}_sbert-all-MiniLM-L6-v2.npy'

            APPROXIMATE SEARCH: --ann builds a faiss index (HNSW, IVF-Flat or IVF-SQ8, inner
            product on normalised vectors) for each (split, label) partition of at least
            --ann-min-rows rows, saved in INDEX/ann/ and tied to this build; query and serve
            use it there (candidates rescored exactly), exact scans elsewhere. `info` reports
            each partition's recall@10 against exact search. Later builds keep the settings.

            SHARDS: --shard I/N embeds rows I·n/N ..< (I+1)·n/N of the data (what the index does
            not hold yet) into INDEX/shards/shard-I-of-N.bin, synced chunk by chunk (a killed
            shard resumes), writing nothing else: N processes or machines (a Kubernetes Indexed
            Job, a Slurm array; deploy/) run at once on one shared folder. 'exemplar merge
            INDEX' then builds from their vectors, embedding nothing, or names the rows no shard
            covered; a plain build also takes them and embeds the rest. Either deletes the files.
              for i in 0 1 2 3; do exemplar build indexes/pool --shard $i/4 --threads 1 & done; wait
              exemplar merge indexes/pool
            """,
        options: [
            .data.with(value: "PATH", help: "Dataset file or LM-BFF data folder (with --out)."),
            .task.with(help: "LM-BFF task: \(LMBFFTask.allCases.map(\.name).joined(separator: ", "))."),
            .format, .textColumn, .textBColumn, .labelColumn, .labels,
            .split.with(help: "Split name of a single data file (default train)."),
            .out, .model, .promptName, .prompt, .dimensions, .queryPromptName, .queryPrompt, .skipBadRows, .replaceModel, .rebuild, .precision, .batchSize, .chunkSize, .threads,
            .vectors, .vectorsCheck, .ann, .annMinRows, .annLists, .annLinks, .shard,
            .json.with(help: "Print the build report as JSON."),
        ])

    /// `build`, or with `merge` set (`exemplar merge`) a build that embeds nothing: every
    /// vector comes from the shard files or the index.
    static func run(_ args: ParsedArguments) throws { try run(args, merge: false) }

    static func run(_ args: ParsedArguments, merge: Bool) throws {
        let folder = try indexFolder(args)
        let definition = try IndexDefinition.load(folder: folder)
        let source = try IndexSource.load(definition, base: folder,
                                          skipBadRows: args.flag(.skipBadRows) ? true : nil)
        for skipped in source.skipped {
            FileHandle.standardError.write(Data("exemplar: skipped bad row: \(skipped.description)\n".utf8))
        }
        guard !source.records.isEmpty else {
            throw IndexError.data(.cannotRead(file: source.files.joined(separator: ", "), reason: "no rows to index"))
        }
        if args.has(.vectors) && args.flag(.rebuild) {
            throw UsageError(command: spec.name, message: "--vectors and --rebuild do not go together: rebuild first, then import")
        }
        let modelPath = args.string(.model) ?? definition.model.map { IndexSource.resolvedPath($0, base: folder) }
        let (encoder, queryPrompt) = try Self.encoder(args, definition: definition, modelPath: modelPath)
        var builder = IndexBuilder(encoder: encoder)
        builder.queryPrompt = queryPrompt
        builder.batchSize = try args.int(.batchSize, range: 1...65536) ?? 32
        builder.chunkSize = try args.int(.chunkSize, range: 1...10_000_000) ?? 512
        builder.threads = try Common.threads(args, command: spec.name)
        builder.shards = IndexShards.files(in: folder)
        builder.embedMissing = !merge
        if let text = args.string(.shard) {
            if merge { throw UsageError(command: "merge", message: "--shard goes with build: 'exemplar build INDEX --shard I/N'") }
            guard let shard = IndexShards.Shard(text) else {
                throw UsageError(command: spec.name, message: "--shard must be I/N with 0 <= I < N, got \"\(text)\"")
            }
            guard !args.has(.vectors), !args.flag(.rebuild), !args.has(.ann) else {
                throw UsageError(command: spec.name, message: "--shard only embeds; --vectors, --rebuild and --ann go with the build or merge after it")
            }
            try runShard(shard, args: args, folder: folder, records: source.records, encoder: encoder, builder: builder)
            return
        }
        if merge && (args.has(.vectors) || args.flag(.rebuild)) {
            throw UsageError(command: "merge", message: "merge takes the vectors from INDEX/shards; --vectors and --rebuild go with build")
        }
        if merge {
            let missing = try IndexShards.missingRows(source.records, folder: folder, encoder: encoder)
            if !missing.isEmpty { throw IndexError.shardsMissing(path: folder.relativePath, rows: missing) }
        }
        let progress = ProgressLine(label: "embedding", total: source.records.count, minimumTotal: 1)
        let report: BuildReport
        do {
            if args.flag(.rebuild) {
                let rebuilt = try IndexRebuild.rebuild(folder: folder, records: source.records, labels: source.labels,
                                                       task: definition.task?.name, builder: builder,
                                                       progress: { done, total in progress.update(done, total: total) })
                report = rebuilt.build
                let kept = rebuilt.damagedKeptAt.map { "; the previous store is kept at \($0.relativePath) (delete it when done)" } ?? ""
                FileHandle.standardError.write(Data("exemplar: rebuilt \(folder.relativePath): \(rebuilt.reused) cached vectors reused, \(rebuilt.unreadable) left out as unreadable\(kept)\n".utf8))
            } else {
                var imported: [VectorImport.Block]?
                if let pattern = args.string(.vectors) {
                    let blocks = try vectorBlocks(pattern, records: source.records)
                    let check = try VectorImport.check(blocks, records: source.records, encoder: encoder,
                                                       checkRows: try args.int(.vectorsCheck, range: 0...1_000_000) ?? 8)
                    imported = blocks
                    let checked = check.sampled == 0 ? "not checked against the model (--vectors-check 0)"
                        : "\(check.sampled) rows checked against the model, min cosine \(String(format: "%.5f", check.minimumCosine))"
                    FileHandle.standardError.write(Data("exemplar: imported vectors for \(source.records.count) records (\(checked))\n".utf8))
                }
                let store = try IndexFolder.openStore(folder, create: true)
                report = try builder.build(records: source.records, labels: source.labels, task: definition.task?.name,
                                           into: store, replaceModel: args.flag(.replaceModel), imported: imported,
                                           progress: { done, total in progress.update(done, total: total) })
            }
        } catch {
            progress.finish()
            throw error
        }
        progress.finish()
        // The shards' vectors are in the committed index now.
        IndexShards.remove(from: folder)
        let approximate = try updateApproximate(folder, args)
        var bySplit: [String: Int] = [:], byLabel: [String: Int] = [:]
        for r in source.records {
            bySplit[r.split, default: 0] += 1
            byLabel[r.label, default: 0] += 1
        }
        if args.flag(.json) {
            print(report.json(index: folder.relativePath, countsBySplit: bySplit, countsByLabel: byLabel,
                              skippedRows: source.skipped.map(\.description)).prettyText)
            return
        }
        let splits = definition.task?.splitNames.filter { bySplit[$0] != nil } ?? bySplit.keys.sorted()
        let splitText = splits.map { "\($0) \(bySplit[$0]!)" }.joined(separator: ", ")
        if report.upToDate {
            print("\(folder.relativePath): up to date, \(report.records) records (\(splitText)); nothing to embed (\(String(format: "%.2f", report.seconds)) s)")
        } else {
            print("\(folder.relativePath): built \(report.records) records (\(splitText)); embedded \(report.embedded) new texts, \(report.fromCache) from cache, in \(String(format: "%.2f", report.seconds)) s")
        }
        if !source.skipped.isEmpty { print("skipped \(source.skipped.count) bad rows (listed on stderr)") }
        if let approximate {
            let parts = approximate.partitions.map { "\($0.split)/\($0.label) \($0.ids.count) rows, recall@10 \(String(format: "%.3f", $0.recallAt10))\($0.search.summary)" }
            print("approximate search (\(approximate.settings.parameters.kind.rawValue)): " + (parts.isEmpty ? "no partition has \(approximate.settings.minRows) rows; all exact" : parts.joined(separator: "; ")))
        }
    }

    /// The `--vectors` file(s) as blocks of rows: one file for every record, or with `{split}`
    /// one file per split holding that split's records in order.
    static func vectorBlocks(_ pattern: String, records: [IndexRecord]) throws -> [VectorImport.Block] {
        func read(_ path: String, rows: [Int]) throws -> VectorImport.Block {
            let matrix: NPYMatrix
            do { matrix = try NPYMatrix(path: path) } catch { throw IndexError.vectors(file: path, message: error.description) }
            guard matrix.rows == rows.count else {
                throw IndexError.vectors(file: path, message: "has \(matrix.rows) rows for \(rows.count) records; its rows must be the data's rows, in order")
            }
            return VectorImport.Block(file: path, rows: rows, matrix: matrix)
        }
        guard pattern.contains("{split}") else { return [try read(pattern, rows: Array(records.indices))] }
        var splits: [String] = [], rows: [String: [Int]] = [:]
        for (i, r) in records.enumerated() {
            if rows[r.split] == nil { splits.append(r.split) }
            rows[r.split, default: []].append(i)
        }
        return try splits.map { try read(pattern.replacingOccurrences(of: "{split}", with: $0), rows: rows[$0]!) }
    }

    /// Builds, keeps or removes `INDEX/ann/` as --ann asks (or as the last build had it).
    static func updateApproximate(_ folder: URL, _ args: ParsedArguments) throws -> ApproximateIndex? {
        let kind = args.string(.ann)
        if kind == "none" {
            ApproximateIndex.remove(from: folder)
            return nil
        }
        var settings: ANNSettings?
        if let kind {
            guard let parsed = ANNKind(rawValue: kind), parsed != .flat else {
                throw UsageError(command: spec.name, message: "--ann must be hnsw, ivf-flat, ivf-sq8 or none, got \"\(kind)\"")
            }
            settings = ANNSettings(parameters: ANNParameters(kind: parsed, lists: try args.int(.annLists, range: 1...1_000_000),
                                                             links: try args.int(.annLinks, range: 2...512) ?? 32),
                                   minRows: try args.int(.annMinRows, range: 1...Int(Int32.max)) ?? 50_000)
        } else if args.has(.annMinRows) || args.has(.annLists) || args.has(.annLinks) {
            throw UsageError(command: spec.name, message: "--ann-min-rows, --ann-lists and --ann-links go with --ann KIND")
        }
        let progress = ProgressLine(label: "ann partitions", total: 1, minimumTotal: 1)
        defer { progress.finish() }
        return try ApproximateIndex.update(folder: folder, settings: settings, threads: try Common.threads(args, command: spec.name)) { done, total in
            progress.update(done, total: total)
        }
    }

    /// The index folder: the positional argument, or `--out` after writing index.json from flags.
    /// `--shard I/N`: embeds the shard's rows into its file; prints what it did.
    static func runShard(_ shard: IndexShards.Shard, args: ParsedArguments, folder: URL, records: [IndexRecord],
                         encoder: SentenceEncoder, builder: IndexBuilder) throws {
        let progress = ProgressLine(label: "shard \(shard)", total: records.count, minimumTotal: 1)
        let report: IndexShards.Report
        do {
            report = try IndexShards.embed(shard, records: records, folder: folder, encoder: encoder, batchSize: builder.batchSize,
                                           threads: builder.threads, chunkSize: builder.chunkSize,
                                           progress: { done, total in progress.update(done, total: total) })
        } catch {
            progress.finish()
            throw error
        }
        progress.finish()
        if args.flag(.json) {
            print(JSONValue.object([("already_there", .int(report.alreadyThere)), ("embedded", .int(report.embedded)),
                                    ("file", .string(report.file.relativePath)), ("index", .string(folder.relativePath)),
                                    ("rows", .array([.int(report.rows.lowerBound), .int(report.rows.upperBound)])),
                                    ("shard", .string(shard.description))]).prettyText)
        } else {
            print("\(folder.relativePath): shard \(shard): rows \(report.rows.lowerBound)..<\(report.rows.upperBound), embedded \(report.embedded) texts (\(report.alreadyThere) rows already there) into \(report.file.relativePath)")
        }
    }

    static func indexFolder(_ args: ParsedArguments) throws -> URL {
        let definitionOptions: [Option] = [.data, .task, .format, .textColumn, .textBColumn, .labelColumn, .labels, .split]
        let usesFlags = definitionOptions.contains { args.has($0) }
        if !usesFlags {
            guard args.string(.out) == nil else {
                throw UsageError(command: spec.name, message: "--out needs --data PATH (and --task or --format)")
            }
            guard args.positionals.count == 1 else {
                throw UsageError(command: spec.name, message: args.positionals.isEmpty
                    ? "give an index folder (with an index.json), or --data PATH --out FOLDER"
                    : "give one index folder, got \(args.positionals.count) arguments")
            }
            return URL(fileURLWithPath: args.positionals[0], isDirectory: true)
        }
        guard let data = args.string(.data) else {
            throw UsageError(command: spec.name, message: "--data PATH is needed with \(definitionOptions.filter { args.has($0) }.map(\.name).joined(separator: ", "))")
        }
        guard let out = args.string(.out) ?? args.positionals.first, args.positionals.count <= (args.string(.out) == nil ? 1 : 0) else {
            throw UsageError(command: spec.name, message: "with --data, give the index folder to create as --out FOLDER")
        }
        var task: LMBFFTask?
        if let name = args.string(.task) {
            task = try Common.task(name, command: spec.name)
        }
        let format = try args.choice(.format, as: IndexDefinition.Format.self)
        if format == .lmbff && task == nil {
            throw UsageError(command: spec.name, message: "--format lmbff needs --task")
        }
        let folder = URL(fileURLWithPath: out, isDirectory: true)
        // Store the data path relative to the index folder when both are relative.
        let dataURL = URL(fileURLWithPath: data)
        let relative = relativePath(from: folder.standardizedFileURL.path, to: dataURL.standardizedFileURL.path)
        let labels = args.string(.labels).map { $0.split(separator: ",").map(String.init) }
        var definition = IndexDefinition(
            data: relative, task: task, format: format, textColumn: args.string(.textColumn) ?? "text",
            textBColumn: args.string(.textBColumn), labelColumn: args.string(.labelColumn) ?? "label",
            labels: labels, split: args.string(.split) ?? "train",
            skipBadRows: args.flag(.skipBadRows))
        definition.embedding = try EmbeddingOptionsCLI.read(args)
        definition.queryPrompt = EmbeddingOptionsCLI.readQuery(args)
        // Validate as a file would be (labels against the task, ...) before writing.
        _ = try IndexDefinition.parse(definition.json(), name: "--data/--task flags")
        if let existing = try? IndexDefinition.load(folder: folder), existing != definition {
            FileHandle.standardError.write(Data("exemplar: replacing \(IndexDefinition.file(in: folder).relativePath) (the flags differ from it)\n".utf8))
        }
        try definition.write(to: folder)
        return folder
    }

    /// The encoder with the documents' prompt and dimension (options over index.json's fields), and
    /// the query prompt to record when it is not the documents'.
    static func encoder(_ args: ParsedArguments, definition: IndexDefinition, modelPath: String?) throws -> (SentenceEncoder, Manifest.QueryPrompt?) {
        let base = try Common.loadEncoder(folder: ModelLocator.locate(explicit: modelPath), precision: Common.precision(args) ?? .fp32)
        let given = try EmbeddingOptionsCLI.read(args)
        let prompted = given.promptName != nil || given.prompt != nil
        let options = EmbeddingOptions(promptName: prompted ? given.promptName : definition.embedding.promptName,
                                       prompt: prompted ? given.prompt : definition.embedding.prompt,
                                       dimensions: given.dimensions ?? definition.embedding.dimensions)
        let encoder = try EmbeddingOptionsCLI.configure(base, options, command: spec.name)
        let givenQuery = EmbeddingOptionsCLI.readQuery(args)
        let query = givenQuery.promptName != nil || givenQuery.prompt != nil ? givenQuery : definition.queryPrompt
        guard query.promptName != nil || query.prompt != nil else { return (encoder, nil) }
        let settings = try EmbeddingOptionsCLI.naming(command: spec.name) { try base.settings(for: query, queryPrompt: true) }
        return (encoder, Manifest.QueryPrompt(name: settings.promptName, text: settings.prompt))
    }

    /// `to` relative to the folder `from` (both absolute), or `to` itself when they share only "/".
    static func relativePath(from: String, to: String) -> String {
        let a = from.split(separator: "/"), b = to.split(separator: "/")
        var common = 0
        while common < min(a.count, b.count) && a[common] == b[common] { common += 1 }
        if common == 0 { return to }
        let up = Array(repeating: "..", count: a.count - common)
        let rest = b[common...].map(String.init)
        let parts = up + rest
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}
