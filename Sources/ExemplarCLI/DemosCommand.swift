import ExemplarData
import ExemplarDemos
import ExemplarIndex
import ExemplarJSON
import ExemplarIO
import ExemplarStore
import Foundation
import Synchronization

extension Option {
    static let embeddings = Option("--embeddings", value: "NAME", help: "Embedding files DIR/SPLIT_NAME.npy, e.g. sbert-roberta-large (with --data).")
    static let support = Option("--support", value: "SPLIT", help: "Split demonstrations come from (default train).")
    static let policy = Option("--policy", value: "P", help: "lmbff (default), random, nearest, mmr, in-context, topk-dpp, balanced or bm25.")
    static let filterRate = Option("--filter-rate", value: "R", help: "lmbff: fraction kept per label, in (0, 1] (default 0.5).")
    static let numSample = Option("--num-sample", value: "N", help: "lmbff/random/in-context: contexts per query (default 16; in-context 1).")
    static let lambda = Option("--lambda", value: "L", help: "mmr: relevance weight in [0, 1] (default 0.5).")
    static let count = Option("--count", value: "N", help: "in-context, balanced: demonstrations per context (default 4).")
    static let order = Option("--order", value: "random|nearest", help: "in-context: random draws (default) or the most similar.")
    static let seed = Option("--seed", value: "N", help: "Random seed (default 42).")
    static let template = Option("--template", value: "T", help: "LM-BFF template, or lmbff for the task's manual one.")
    static let labelWords = Option("--label-words", value: "JSON", help: "Label words, e.g. {\"0\":\"terrible\",\"1\":\"great\"} (default with --template lmbff).")
    static let specialTokens = Option("--special-tokens", value: "roberta|bert", help: "<s> </s> <mask> (default) or [CLS] [SEP] [MASK].")
    static let segments = Option("--segments", help: "Also output the context's segments with their roles.")
    static let limit = Option("--limit", value: "N", help: "Only the first N queries.")
    static let text = Option("--text", help: "Human-readable output instead of JSON Lines.")
    static let placement = Option("--placement", value: "tail|head", help: "in-context with a template: demonstrations after the query (default) or before it.")
}

/// `exemplar demos`: LM-BFF demonstrations for queries from an index's support split.
enum DemosCommand {
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
              topk-dpp    OpenICL's TopK-DPP: --k of the --candidate-num most similar, chosen on a DPP
                          kernel (relevance vs diversity, --scale-factor); --dpp-mode map (greedy,
                          deterministic) or sample (exact k-DPP, seeded); most relevant first;
                          --per-class: per label
              balanced    the --count most similar spread round-robin across labels (the most
                          similar of each label in turn)
              bm25        Okapi BM25 of the query's words (nltk's word_tokenize; rank_bm25's
                          BM25Okapi, k1 1.5, b 0.75, epsilon 0.25) over the index's postings: the
                          --k best of each label (default 1); --all-labels: the --k best of any
                          label (default 4), as OpenICL's BM25Retriever; needs an index
            Sampling is deterministic for --seed. --sampling per-query (default): each query has
            its own stream, so results do not depend on which other queries are in the run.
            --sampling lmbff: LM-BFF's own draws (np.random.seed(seed), one np.random.permutation
            per sample and query, sample-major), for policies lmbff, random and in-context; the
            stream runs through the --queries splits in the order given, so --queries dev,test
            is run.py with --do_eval --do_predict (its test draws continue where dev's end), and
            --queries test is a run without --do_eval. Use it to reproduce LM-BFF's numbers;
            use per-query when queries come and go (serving, a subset, new texts).

            Contexts: --context-order label|similar-last|similar-first|random reorders every
            context (similar-last is KATE's best order; random is seeded); --max-similarity X
            leaves support examples with cosine above X to the query out (near-copies: test
            leakage); --max-context-tokens N drops the least similar demonstrations until the
            context (rendered with the template, else the query's and demonstrations' sentences)
            has at most N tokens of --tokenizer DIR (default: the index model's tokenizer); a
            query longer than N alone is an error.

            Formats (--format): jsonl (below), hf-jsonl (one flat row per query and sample:
            text, text_b, label, id, sample, context and a demonstrations column, each with
            "index", its position in the support split; datasets.load_dataset("json",
            data_files=...) reads it), ice-idx (OpenICL's retriever output: a JSON list with one
            list of support positions per query, in context order; with --num-sample above 1 a
            query's samples follow each other).

            Output: one JSON line per query and sample: {"query": {"id", "text", "text_b",
            "label"}, "sample", "demonstrations": [{"id", "text", "text_b", "label",
            "similarity"}], "context"} (demonstrations in label order as LM-BFF concatenates
            them; "context" with a template; --segments adds each segment's role).

            LM-BFF's training inputs: --tokenizer PATH names the target LM's tokenizer (a model
            folder or tokenizer.json, e.g. roberta-large's); the context is then tokenized part
            by part as LM-BFF's tokenize_multipart_input does, sentences cut to
            --first-sent-limit / --other-sent-limit tokens (mid-word), the whole to
            --max-seq-length (x2 with --double-demo; from the head with --truncate-head), with
            that tokenizer's special tokens. --ids adds per context input_ids, attention_mask
            (padded to the max length), token_type_ids (BERT-family vocabularies; all 0 as
            LM-BFF's models get them), mask_pos and label_word_list; with --format hf-jsonl also
            labels, so datasets.load_dataset("json", data_files=...) gives a trainer's columns.
            --lmbff-task TASK sets run_experiment.sh's template, label words, limits,
            double_demo, max length and num_sample for TASK: with --sampling lmbff and
            --queries dev,test this is what run.py builds for evaluation.

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
              exemplar demos --data data/k-shot/sst-5/16-42 --task sst-5 --embeddings sbert-roberta-large \\
                --queries dev,test --lmbff-task sst-5 --tokenizer roberta-large --sampling lmbff --ids --format hf-jsonl
              exemplar demos indexes/rte --queries new.jsonl --template '*cls**sent-_0*?*mask*,*+sentl_1**sep+*' \\
                --label-words '{"entailment": "Yes", "not_entailment": "No"}'
            """,
        options: [
            .queries.with(value: "SPLIT|FILE", help: "A split of the index (or several in order: dev,test), or a file of texts (a path with / is always a file). Required."),
            .data.with(help: "Instead of an index: an LM-BFF data folder with embedding files (needs --task, --embeddings)."),
            .task.with(help: "The data folder's LM-BFF task (with --data)."),
            .embeddings, .inputFormat, .promptName.with(help: "Must be the prompt the index embeds queries with (the default): a check."),
            .prompt.with(help: "As --prompt-name, with the prompt's text."),
            .queryPromptName.with(help: "Embed query texts with this prompt of the model instead of the index's query prompt."),
            .queryPrompt.with(help: "Embed query texts with this prompt text instead of the index's."),
            .support, .policy, .filterRate, .numSample,
            .k.with(help: "nearest/mmr/bm25: demonstrations per label (default 1); topk-dpp, bm25 --all-labels: in all (default 4)."),
            .lambda, .count, .order, .candidateNum, .scaleFactor, .dppMode,
            .perClass.with(help: "topk-dpp: k and candidate_num per label, labels in order (bm25 is per label unless --all-labels)."), .allLabels, .demoBM25Weight, .seed, .template, .labelWords, .specialTokens, .placement, .segments, .limit, .text,
        ] + DemoContextOptions.options + DemoContextOptions.lmbffOptions + [.demoFormat,
            .output.with(help: "Where to write JSON Lines (default standard output)."),
            .model, .precision, .threads,
        ])

    static func run(_ args: ParsedArguments) throws {
        guard let queriesArg = args.string(.queries) else {
            throw UsageError(command: spec.name, message: "--queries SPLIT|FILE is required (e.g. --queries test)")
        }
        let request = try demoRequest(args)
        let source = try openSource(args)
        let format = try args.choice(.demoFormat, as: DemoExportFormat.self) ?? .jsonl
        if args.flag(.text) && args.string(.demoFormat) != nil {
            throw UsageError(command: spec.name, message: "give --text or --format, not both")
        }
        let tokenizer = try DemoContextOptions.tokenizer(args, request: request, source: source)
        var prepared: IndexDemos
        do { prepared = try request.makeDemos(source, tokenizer: tokenizer) } catch {
            throw UsageError(command: spec.name, message: error.description(naming: \.option))
        }

        // Queries: a split of the source, or a file of texts (a path with a "/" is always a file).
        var queries: [IndexDemos.Query] = []
        var queryJSON: [JSONValue] = []
        var queryRecords: [IndexRecord?] = []
        var streams: [Range<Int>] = []  // LM-BFF's sampling: one stretch of the stream per split, in order
        let splitNames = queriesArg.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let isSplit = splitNames.allSatisfy(source.splits.contains), isFile = FileManager.default.fileExists(atPath: queriesArg) || queriesArg == "-"
        if isSplit && isFile && !queriesArg.contains("/") {
            throw UsageError(command: spec.name, message: "--queries \(queriesArg) is both a split of \(source.name) and a file here; write ./\(queriesArg) for the file, or rename it")
        }
        if isSplit && !queriesArg.contains("/") {
            guard Set(splitNames).count == splitNames.count else {
                throw UsageError(command: spec.name, message: "--queries \(queriesArg) names a split twice")
            }
            for split in splitNames {
                let start = queries.count
                for record in source.exact.records where record.split == split {
                    let query = prepared.query(record: record.id)
                    queries.append(query)
                    queryJSON.append(IndexDemos.queryJSON(id: record.id, label: record.label, sentences: query.sentences))
                    queryRecords.append(record)
                }
                streams.append(start..<queries.count)
            }
        } else {
            guard isFile else {
                throw UsageError(command: spec.name, message: "--queries \(queriesArg) is neither a split (\(source.splits.joined(separator: ", ")); several: dev,test) nor a file")
            }
            guard let loaded = source.index, let folder = args.positionals.first.map({ URL(fileURLWithPath: $0, isDirectory: true) }) else {
                throw UsageError(command: spec.name, message: "--queries FILE needs an index (--embeddings files come from a model exemplar may not have); give a split, or build an index")
            }
            let texts = try readQueries(queriesArg, args: args)
            let encoder = try Common.encoder(forIndex: loaded, folder: folder, args: args, promptOptions: true)
            let vectors = encoder.encode(texts.map(Example.embeddingText),
                                         threads: try Common.threads(args, command: spec.name))
            for (i, sentences) in texts.enumerated() {
                queries.append(IndexDemos.Query(sentences: sentences, vector: Array(vectors[i]), key: IndexDemos.Query.textKey(sentences)))
                queryJSON.append(IndexDemos.queryJSON(id: nil, label: nil, sentences: sentences))
                queryRecords.append(nil)
            }
            streams = [0..<queries.count]
        }
        let threads = try Common.threads(args, command: spec.name)
        IndexDemos.prepareConcurrentSelection()
        if tokenizer != nil {  // each sentence tokenized once, not in every context it appears in
            prepared.cacheTokens(of: prepared.supportRecords + queryRecords.compactMap { $0 }, threads: threads)
        }
        let demos = prepared
        // LM-BFF's sampling draws for every query of each split in turn (before --limit, which
        // only shortens the output): FewShotDataset's order, dev before test as given.
        var stream: [[IndexDemos.Sample]]? = nil
        if demos.sampling == .lmbff {
            var random = NumPyRandom(seed: UInt32(request.seed))
            var all: [[IndexDemos.Sample]] = []
            do {
                for stretch in streams { all += try demos.selectLMBFFStream(Array(queries[stretch]), random: &random, threads: threads) }
            } catch let error as DemoError {
                throw UsageError(command: spec.name, message: error.description(naming: \.option))
            }
            stream = all
        }
        let drawn = stream
        if let limit = try args.int(.limit, range: 1...Int(Int32.max)), limit < queries.count {
            queries.removeLast(queries.count - limit)
            queryJSON.removeLast(queryJSON.count - limit)
            queryRecords.removeLast(queryRecords.count - limit)
        }
        let withSegments = args.flag(.segments)
        let asText = args.flag(.text)
        var out = try OutputFile(path: args.string(.output) ?? "-")
        let progress = ProgressLine(label: "selecting", total: queries.count)
        var written = 0
        do {
            // Blocks of queries, each block's queries spread over the threads, written in order.
            let block = 512
            for start in stride(from: 0, to: queries.count, by: block) {
                let range = start..<min(start + block, queries.count)
                let workers = max(1, min(threads, range.count))
                let chunk = (range.count + workers - 1) / workers
                let parts = Mutex([Result<[String], any Error>?](repeating: nil, count: workers))
                let blockQueries = Array(queries[range]), blockJSON = Array(queryJSON[range]), blockRecords = Array(queryRecords[range])
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    let result = Result { () throws -> [String] in
                        var entries: [String] = []
                        for q in min(blockQueries.count, w * chunk)..<min(blockQueries.count, (w + 1) * chunk) {
                            let samples = try drawn.map { $0[range.lowerBound + q] } ?? demos.select(blockQueries[q])
                            if asText {
                                entries.append(readable(blockQueries[q], json: blockJSON[q], samples: samples))
                                continue
                            }
                            for (number, sample) in samples.enumerated() {
                                switch format {
                                case .jsonl: entries.append(sample.json(number: number, segments: withSegments, query: blockJSON[q]).text + "\n")
                                case .hfJSONL:
                                    entries.append(demos.hfRow(query: blockQueries[q], id: blockRecords[q]?.id, label: blockRecords[q]?.label,
                                                               sample: sample, number: number).text + "\n")
                                case .iceIdx: entries.append(demos.iceIdx(sample).text)
                                }
                            }
                        }
                        return entries
                    }
                    parts.withLock { $0[w] = result }
                }
                for part in parts.withLock({ $0 }) {
                    let entries: [String]
                    do { entries = try part!.get() } catch let error as DemoError {
                        throw UsageError(command: spec.name, message: error.description(naming: \.option))
                    }
                    for entry in entries {
                        if format == .iceIdx && !asText {
                            try out.write(Array(((written == 0 ? "[\n" : ",\n") + entry).utf8))
                        } else {
                            try out.write(Array(entry.utf8))
                        }
                        written += 1
                    }
                }
                progress.update(range.upperBound)
            }
            if format == .iceIdx && !asText { try out.write(Array((written == 0 ? "[]\n" : "\n]\n").utf8)) }
            try out.commit()
        } catch {
            out.discard()
            progress.finish()
            throw error
        }
        progress.finish()
    }

    /// The options as a `DemoRequest` (types checked here; ranges and the fit to the data by the request).
    static func demoRequest(_ args: ParsedArguments, policy: DemoRequest.Policy? = nil) throws -> DemoRequest {
        func double(_ option: Option) throws -> Double? {
            guard let raw = args.string(option) else { return nil }
            guard let v = Double(raw), v.isFinite else {
                throw UsageError(command: spec.name, message: "\(option.name) must be a number, got \"\(raw)\"")
            }
            return v
        }
        func int(_ option: Option) throws -> Int? {
            guard let raw = args.string(option) else { return nil }
            guard let v = Int(raw) else { throw UsageError(command: spec.name, message: "\(option.name) must be an integer, got \"\(raw)\"") }
            return v
        }
        var request = DemoRequest()
        request.policy = try policy ?? args.choice(.policy, as: DemoRequest.Policy.self) ?? .lmbff
        request.filterRate = try double(.filterRate)
        request.numSample = try int(.numSample)
        request.k = try int(.k)
        request.lambda = try double(.lambda)
        request.count = try int(.count)
        request.order = try args.choice(.order, as: DemoRequest.Order.self)
        request.seed = UInt64(try args.int(.seed, range: DemoRequest.Limits.seed) ?? 42)
        request.support = args.string(.support) ?? "train"
        request.template = args.string(.template)
        request.labelWords = args.string(.labelWords).map(DemoRequest.Words.text)
        request.specialTokens = try args.choice(.specialTokens, as: DemoRequest.Tokens.self)
        request.tokenizer = args.string(.tokenizer)
        request.placement = try args.choice(.placement, as: InContextPlacement.self)
        try readTopKDPP(args, into: &request)
        try readBM25(args, into: &request)
        try DemoContextOptions.read(args, into: &request, command: spec.name)
        if args.command == spec.name {  // evaluate-demos shares this reader without these options
            try DemoContextOptions.readLMBFF(args, into: &request, command: spec.name)
        }
        return request
    }

    /// The index folder, or an LM-BFF data folder with its own embedding files (`--data DIR --task T --embeddings NAME`).
    static func openSource(_ args: ParsedArguments) throws -> DemoSource {
        if let data = args.string(.data) {
            guard args.positionals.isEmpty else {
                throw UsageError(command: spec.name, message: "give an index folder or --data DIR, not both")
            }
            guard let taskName = args.string(.task), let name = args.string(.embeddings) else {
                throw UsageError(command: spec.name, message: "--data needs --task TASK and --embeddings NAME (files SPLIT_NAME.npy, e.g. sbert-roberta-large)")
            }
            return try DemoSource(lmbffFolder: URL(fileURLWithPath: data, isDirectory: true),
                                  task: try Common.task(taskName, command: spec.name), embeddings: name)
        }
        guard args.positionals.count == 1 else {
            throw UsageError(command: spec.name, message: "give one index folder (or --data DIR --task T --embeddings NAME)")
        }
        let folder = URL(fileURLWithPath: args.positionals[0], isDirectory: true)
        return DemoSource(index: try LoadedIndex.open(folder), name: folder.relativePath)
    }

    /// One query's samples for people: the query, each sample's demonstrations and context.
    static func readable(_ query: IndexDemos.Query, json: JSONValue, samples: [IndexDemos.Sample]) -> String {
        let id = json["id"]?.numberValue.map { " #\(Int($0))" } ?? ""
        let label = json["label"]?.stringValue.map { " [\($0)]" } ?? ""
        var text = "query\(id)\(label): " + query.sentences.joined(separator: " ||| ") + "\n"
        for (s, sample) in samples.enumerated() {
            text += "  sample \(s)\n"
            for d in sample.demonstrations {
                text += String(format: "    %.4f  #%-6u [%@] ", d.similarity, d.record.id, d.record.label)
                    + IndexDemos.sentences(d.record).joined(separator: " ||| ") + "\n"
            }
            if let context = sample.context { text += "    context: \(context.text)\n" }
        }
        return text + "\n"
    }

    /// Query sentences from a file: JSON Lines with "text" (and "text_b"), or one text per line.
    static func readQueries(_ path: String, args: ParsedArguments) throws -> [[String]] {
        let format = try args.choice(.inputFormat, as: InputFormat.self) ?? InputFormat.inferred(from: path)
        return try SentenceInput.read(path: path, format: format, pairField: "text_b").map { r in r.textB.map { [r.text, $0] } ?? [r.text] }
    }
}
