import ExemplarData
import ExemplarDemos
import ExemplarIndex
import ExemplarIO
import ExemplarStore
import Foundation
import Synchronization

extension Option {
    static let embeddings = Option("--embeddings", value: "NAME", help: "Embedding files DIR/SPLIT_NAME.npy, e.g. sbert-roberta-large (with --data).")
    static let support = Option("--support", value: "SPLIT", help: "Split demonstrations come from (default train).")
    static let policy = Option("--policy", value: "P", help: "lmbff (default), random, nearest, mmr or in-context.")
    static let filterRate = Option("--filter-rate", value: "R", help: "lmbff: fraction kept per label, in (0, 1] (default 0.5).")
    static let numSample = Option("--num-sample", value: "N", help: "lmbff/random/in-context: contexts per query (default 16; in-context 1).")
    static let lambda = Option("--lambda", value: "L", help: "mmr: relevance weight in [0, 1] (default 0.5).")
    static let count = Option("--count", value: "N", help: "in-context: demonstrations per context (default 4).")
    static let order = Option("--order", value: "random|nearest", help: "in-context: random draws (default) or the most similar.")
    static let seed = Option("--seed", value: "N", help: "Random seed (default 42).")
    static let template = Option("--template", value: "T", help: "LM-BFF template, or lmbff for the task's manual one.")
    static let labelWords = Option("--label-words", value: "JSON", help: "Label words, e.g. {\"0\":\"terrible\",\"1\":\"great\"} (default with --template lmbff).")
    static let specialTokens = Option("--special-tokens", value: "roberta|bert", help: "<s> </s> <mask> (default) or [CLS] [SEP] [MASK].")
    static let segments = Option("--segments", help: "Also output the context's segments with their roles.")
    static let limit = Option("--limit", value: "N", help: "Only the first N queries.")
    static let text = Option("--text", help: "Human-readable output instead of JSON Lines.")
}

/// `exemplar demos`: LM-BFF demonstrations for queries from an index's support split.
enum DemosCommand {
    enum Policy: String, CaseIterable { case lmbff, random, nearest, mmr, inContext = "in-context" }
    enum Order: String, CaseIterable { case random, nearest }
    enum Tokens: String, CaseIterable { case roberta, bert }

    static let spec = CommandSpec(
        name: "demos",
        usage: "demos (INDEX | --data DIR --task T --embeddings NAME) --queries SPLIT|FILE [--policy lmbff] [--filter-rate 0.5] [--num-sample 16] [--seed 42] [--template T --label-words JSON] [--output FILE.jsonl]",
        abstract: "Select demonstrations for queries (LM-BFF's policies and others) and render prompt contexts.",
        discussion: """
            Demonstrations come from the index's support split (--support, default train). Queries
            are a split of the same index (dev, test, or train: then a query is never its own
            demonstration), or the lines of FILE (text, or JSON Lines with "text" and optional
            "text_b"), embedded with the index's model.

            Policies:
              lmbff       LM-BFF's --demo_filter: per label keep the int(n // labels * filter_rate)
                          most similar candidates, then --num-sample contexts of one random
                          demonstration per label (default)
              random      LM-BFF without the filter: one random demonstration per label, --num-sample times
              nearest     the --k most similar of each label
              mmr         --k per label by maximal marginal relevance (--lambda)
              in-context  --count demonstrations of any label (LM-BFF's GPT-3 baseline), --order random|nearest
            Sampling is deterministic for --seed (each query has its own stream, so results do
            not depend on which other queries are in the run).

            Output: one JSON line per query and sample: {"query": {"id", "text", "text_b",
            "label"}, "sample", "demonstrations": [{"id", "text", "text_b", "label",
            "similarity"}], "context"} (demonstrations in label order as LM-BFF concatenates
            them; "context" with a template; --segments adds each segment's role).

            Templates use LM-BFF's language (*cls*, *mask*, *sep+*, *sent_0*, *+sentl_1*,
            *label_0*, _ for a space) and are extended to demonstrations as LM-BFF's run.py does.
            --template lmbff picks LM-BFF's manual template and label words for the index's task.

            With --data DIR --task TASK --embeddings NAME, selection runs on LM-BFF's own files
            (DIR/{train,dev,test}.tsv and the DIR/SPLIT_NAME.npy its get_sbert_embedding.py
            writes), with no index and no encoder: the same candidates LM-BFF's --demo_filter
            computes from the same embeddings.

            EXAMPLES:
              exemplar demos indexes/sst-2 --queries test --template lmbff --output demos.jsonl
              exemplar demos --data data/k-shot/SST-2/16-42 --task SST-2 --embeddings sbert-roberta-large --queries dev
              exemplar demos indexes/sst-2 --queries dev --policy nearest --k 2
              exemplar demos indexes/rte --queries new.jsonl --template '*cls**sent-_0*?*mask*,*+sentl_1**sep+*' \\
                --label-words '{"entailment": "Yes", "not_entailment": "No"}'
            """,
        options: [
            .queries.with(value: "SPLIT|FILE", help: "A split of the index, or a file of texts. Required."),
            .data.with(help: "Instead of an index: an LM-BFF data folder with embedding files (needs --task, --embeddings)."),
            .task.with(help: "The data folder's LM-BFF task (with --data)."),
            .embeddings, .inputFormat, .support, .policy, .filterRate, .numSample,
            .k.with(help: "nearest/mmr: demonstrations per label (default 1)."),
            .lambda, .count, .order, .seed, .template, .labelWords, .specialTokens, .segments, .limit, .text,
            .output.with(help: "Where to write JSON Lines (default standard output)."),
            .model, .threads,
        ])

    static func run(_ args: ParsedArguments) throws {
        guard let queriesArg = args.string(.queries) else {
            throw UsageError(command: spec.name, message: "--queries SPLIT|FILE is required (e.g. --queries test)")
        }
        let policy = try parsePolicy(args)
        let seed = UInt64(try args.int(.seed, range: 0...Int.max) ?? 42)
        let source = try Source.open(args)
        let task = source.task
        let supportSplit = args.string(.support) ?? "train"
        guard source.splits.contains(supportSplit) else {
            throw UsageError(command: spec.name, message: "--support \(supportSplit): no such split; the splits are \(source.splits.joined(separator: ", "))")
        }
        let grouping = task.map(DemoLabels.init(task:)) ?? .classes(source.labels)
        let renderer = try makeRenderer(args, records: source.exact.records, task: task, grouping: grouping, policy: policy)
        let demos = try IndexDemos(exact: source.exact, policy: policy, seed: seed, supportSplit: supportSplit,
                                   grouping: grouping, renderer: renderer)
        let index = source

        // Queries: a split of the index, else a file of texts.
        var queries: [IndexDemos.Query] = []
        var queryRecords: [QueryOut] = []
        if index.splits.contains(queriesArg) && !FileManager.default.fileExists(atPath: queriesArg) {
            for record in index.exact.records where record.split == queriesArg {
                queries.append(demos.query(record: record.id))
                queryRecords.append(QueryOut(id: record.id, text: record.textA, textB: record.textB, label: record.label))
            }
        } else {
            guard FileManager.default.fileExists(atPath: queriesArg) || queriesArg == "-" else {
                throw UsageError(command: spec.name, message: "--queries \(queriesArg) is neither a split (\(index.splits.joined(separator: ", "))) nor a file")
            }
            guard let loaded = index.loaded, let folder = index.folder else {
                throw UsageError(command: spec.name, message: "--queries FILE needs an index (--embeddings files come from a model exemplar may not have); give a split, or build an index")
            }
            let texts = try readQueries(queriesArg, args: args)
            let encoder = try Common.encoder(forIndex: loaded, folder: folder, args: args)
            let vectors = encoder.encode(texts.map { $0.joined(separator: " ") }, threads: try Common.threads(args, command: spec.name))
            for (i, sentences) in texts.enumerated() {
                queries.append(IndexDemos.Query(sentences: sentences, vector: Array(vectors[i]), key: UInt64(i)))
                queryRecords.append(QueryOut(id: nil, text: sentences[0], textB: sentences.count > 1 ? sentences[1] : nil, label: nil))
            }
        }
        if let limit = try args.int(.limit, range: 1...Int(Int32.max)), limit < queries.count {
            queries.removeLast(queries.count - limit)
            queryRecords.removeLast(queryRecords.count - limit)
        }
        let withSegments = args.flag(.segments)
        let asText = args.flag(.text)
        var out = try OutputFile(path: args.string(.output) ?? "-")
        let progress = ProgressLine(label: "selecting", total: queries.count)
        let threads = try Common.threads(args, command: spec.name)
        do {
            // Blocks of queries, each block's queries spread over the threads, written in order.
            let block = 512
            for start in stride(from: 0, to: queries.count, by: block) {
                let range = start..<min(start + block, queries.count)
                let workers = max(1, min(threads, range.count))
                let chunk = (range.count + workers - 1) / workers
                let parts = Mutex([Result<String, any Error>?](repeating: nil, count: workers))
                let blockQueries = Array(queries[range]), blockRecords = Array(queryRecords[range])
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    let result = Result { () throws -> String in
                        var text = ""
                        for q in (w * chunk)..<min(blockQueries.count, (w + 1) * chunk) {
                            text += asText
                                ? try readable(for: blockQueries[q], record: blockRecords[q], demos: demos)
                                : try lines(for: blockQueries[q], record: blockRecords[q], demos: demos, segments: withSegments)
                        }
                        return text
                    }
                    parts.withLock { $0[w] = result }
                }
                for part in parts.withLock({ $0 }) {
                    try out.write(Array(try part!.get().utf8))
                }
                progress.update(range.upperBound)
            }
            try out.commit()
        } catch {
            out.discard()
            progress.finish()
            throw error
        }
        progress.finish()
    }

    /// Where records and vectors come from: a built index, or an LM-BFF data folder with its
    /// own embedding files (`--data DIR --task T --embeddings NAME`: DIR/{split}_NAME.npy).
    struct Source {
        let exact: ExactIndex
        let task: LMBFFTask?
        let labels: [String]
        let splits: [String]
        let loaded: LoadedIndex?
        let folder: URL?

        static func open(_ args: ParsedArguments) throws -> Source {
            if let data = args.string(.data) {
                guard args.positionals.isEmpty else {
                    throw UsageError(command: spec.name, message: "give an index folder or --data DIR, not both")
                }
                guard let taskName = args.string(.task), let name = args.string(.embeddings) else {
                    throw UsageError(command: spec.name, message: "--data needs --task TASK and --embeddings NAME (files SPLIT_NAME.npy, e.g. sbert-roberta-large)")
                }
                let task = try Common.task(taskName, command: spec.name)
                let folder = URL(fileURLWithPath: data, isDirectory: true)
                var records: [IndexRecord] = []
                var vectors: [Float] = []
                var dimension = 0
                var splits: [String] = []
                for split in try SplitFolder.splits(in: folder, task: task) {
                    let npy = folder.appendingPathComponent("\(split.name)_\(name).npy")
                    guard FileManager.default.fileExists(atPath: npy.path) else { continue }
                    let examples = try DatasetReader.read(split.url, task: task).examples
                    guard let bytes = FileManager.default.contents(atPath: npy.path), let (shape, values) = NPY.decode([UInt8](bytes)),
                          shape.count == 2 else {
                        throw UsageError(command: spec.name, message: "\(npy.relativePath) is not a float32 2-D .npy file")
                    }
                    guard shape[0] == examples.count, dimension == 0 || shape[1] == dimension else {
                        throw UsageError(command: spec.name, message: "\(npy.relativePath) has shape [\(shape[0]), \(shape[1])]; \(split.url.relativePath) has \(examples.count) rows" + (dimension == 0 ? "" : " and other files \(dimension) columns"))
                    }
                    dimension = shape[1]
                    splits.append(split.name)
                    for e in examples {
                        records.append(IndexRecord(id: UInt32(records.count), split: split.name, label: e.label,
                                                   textA: e.textA, textB: e.textB, line: e.line))
                    }
                    vectors += values
                }
                guard splits.contains("train") else {
                    throw UsageError(command: spec.name, message: "no \(folder.relativePath)/train_\(name).npy (make the files with LM-BFF's tools/get_sbert_embedding.py or exemplar export-lmbff)")
                }
                let labels = task.labels ?? ["0", "1"]
                return Source(exact: ExactIndex(records: records, vectors: vectors, dimension: dimension, labelOrder: task.labels),
                              task: task, labels: labels, splits: splits, loaded: nil, folder: nil)
            }
            guard args.positionals.count == 1 else {
                throw UsageError(command: spec.name, message: "give one index folder (or --data DIR --task T --embeddings NAME)")
            }
            let folder = URL(fileURLWithPath: args.positionals[0], isDirectory: true)
            let index = try LoadedIndex.open(folder)
            let splits = index.manifest.countsBySplit.keys.sorted { InfoCommand.splitOrder($0) < InfoCommand.splitOrder($1) }
            return Source(exact: index.exact, task: index.manifest.task.flatMap(LMBFFTask.init(name:)), labels: index.manifest.labels,
                          splits: splits, loaded: index, folder: folder)
        }
    }

    /// One query's samples for people: the query, each sample's demonstrations and context.
    static func readable(for query: IndexDemos.Query, record: QueryOut, demos: IndexDemos) throws -> String {
        var text = "query" + (record.id.map { " #\($0)" } ?? "") + (record.label.map { " [\($0)]" } ?? "") + ": "
            + query.sentences.joined(separator: " ||| ") + "\n"
        for (s, sample) in try demos.select(query).enumerated() {
            text += "  sample \(s)\n"
            for d in sample.demonstrations {
                text += String(format: "    %.4f  #%-6u [%@] ", d.similarity, d.record.id, d.record.label)
                    + IndexDemos.sentences(d.record).joined(separator: " ||| ") + "\n"
            }
            if let context = sample.context { text += "    context: \(context.text)\n" }
        }
        return text + "\n"
    }

    /// The JSON lines of one query: one per sample.
    static func lines(for query: IndexDemos.Query, record: QueryOut, demos: IndexDemos, segments: Bool) throws -> String {
        var text = ""
        for (s, sample) in try demos.select(query).enumerated() {
            let line = LineOut(
                query: record, sample: s,
                demonstrations: sample.demonstrations.map {
                    DemoOut(id: $0.record.id, text: $0.record.textA, textB: $0.record.textB, label: $0.record.label, similarity: $0.similarity)
                },
                context: sample.context?.text,
                segments: segments ? sample.context?.segments.map { SegmentOut(role: describe($0.role), text: $0.text, segmentId: $0.segmentID) } : nil)
            text += try JSONOutput.string(line, pretty: false) + "\n"
        }
        return text
    }

    struct QueryOut: Encodable { let id: UInt32?; let text: String; let textB: String?; let label: String? }
    struct DemoOut: Encodable { let id: UInt32; let text: String; let textB: String?; let label: String; let similarity: Float }
    struct SegmentOut: Encodable { let role: String; let text: String; let segmentId: Int }
    struct LineOut: Encodable {
        let query: QueryOut
        let sample: Int
        let demonstrations: [DemoOut]
        let context: String?
        let segments: [SegmentOut]?
    }

    static func describe(_ role: SegmentRole) -> String {
        switch role {
        case .cls: "cls"
        case .sep: "sep"
        case .mask: "mask"
        case .querySentence(let i): "query_sentence_\(i)"
        case .demoSentence(let demo, let sentence): "demo_\(demo)_sentence_\(sentence)"
        case .labelWord(let label, let demo): demo.map { "demo_\($0)_label_word" } ?? "label_word_\(label)"
        case .literal: "literal"
        }
    }

    static func parsePolicy(_ args: ParsedArguments) throws -> SelectionPolicy {
        let name = try args.choice(.policy, as: Policy.self) ?? .lmbff
        func double(_ option: Option) throws -> Double? {
            guard let raw = args.string(option) else { return nil }
            guard let v = Double(raw), v.isFinite else {
                throw UsageError(command: spec.name, message: "\(option.name) must be a number, got \"\(raw)\"")
            }
            return v
        }
        let rate = try double(.filterRate)
        let samples = try args.int(.numSample, range: 1...100_000)
        let k = try args.int(.k, range: 1...100_000) ?? 1
        let policy: SelectionPolicy
        switch name {
        case .lmbff: policy = .lmbff(filterRate: rate ?? 0.5, samples: samples ?? 16)
        case .random: policy = .random(samples: samples ?? 16)
        case .nearest: policy = .nearest(perLabel: k)
        case .mmr: policy = .mmr(perLabel: k, lambda: try double(.lambda) ?? 0.5)
        case .inContext:
            let count = try args.int(.count, range: 1...100_000) ?? 4
            let order = try args.choice(.order, as: Order.self) ?? .random
            policy = .inContext(count: count, order: order == .nearest ? .nearest : .random(samples: samples ?? 1, filterRate: rate))
        }
        try policy.validate()
        return policy
    }

    static func makeRenderer(_ args: ParsedArguments, records: [IndexRecord], task: LMBFFTask?, grouping: DemoLabels,
                             policy: SelectionPolicy) throws -> ContextRenderer? {
        guard var source = args.string(.template) else {
            if args.string(.labelWords) != nil {
                throw UsageError(command: spec.name, message: "--label-words needs --template")
            }
            return nil
        }
        // --label-words wins; --template lmbff supplies the task's manual template and words.
        var manualWords: [String: String]?
        if source == "lmbff" {
            guard let task else {
                throw UsageError(command: spec.name, message: "--template lmbff needs an index built for an LM-BFF task; give the template and --label-words")
            }
            (source, manualWords) = TaskTemplates.manual(for: task)
        }
        let words: LabelWords
        if let raw = args.string(.labelWords) {
            words = try LabelWords(parsing: raw, labels: grouping)
        } else if let manualWords {
            words = try LabelWords(manualWords, labels: grouping)
        } else {
            throw UsageError(command: spec.name, message: "--template needs --label-words (a JSON object from each label to its word), or use --template lmbff")
        }
        let template = try Template(source)
        let sentences = records.first.map { $0.textB == nil ? 1 : 2 } ?? 1
        let highest = template.parts.compactMap { part -> Int? in if case .sentence(let i, _) = part { i } else { nil } }.max() ?? 0
        if highest >= sentences {
            throw UsageError(command: spec.name, message: "the template uses sentence \(highest) (*sent_\(highest)*) but this index's examples have \(sentences) sentence\(sentences == 1 ? " (*sent_0*)" : "s (*sent_0*, *sent_1*)")")
        }
        let layout: ContextRenderer.Layout
        switch policy {
        case .nearest(let k), .mmr(let k, _): layout = .perLabel(count: k)
        case .inContext(let count, _): layout = .inContext(count: count)
        case .lmbff, .random: layout = .perLabel(count: 1)
        }
        let tokens = try args.choice(.specialTokens, as: Tokens.self) ?? .roberta
        return try ContextRenderer(template: template, labelWords: words, layout: layout,
                                   specialTokens: tokens == .bert ? .bert : .roberta)
    }

    /// Query sentences from a file: JSON Lines with "text" (and "text_b"), or one text per line.
    static func readQueries(_ path: String, args: ParsedArguments) throws -> [[String]] {
        let format = try args.choice(.inputFormat, as: InputFormat.self) ?? InputFormat.inferred(from: path)
        return try SentenceInput.read(path: path, format: format, pairField: "text_b").map { r in r.textB.map { [r.text, $0] } ?? [r.text] }
    }
}
