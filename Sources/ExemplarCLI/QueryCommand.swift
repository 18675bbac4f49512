import ExemplarANN
import ExemplarEncoder
import ExemplarIndex
import ExemplarIO
import ExemplarStore
import Foundation

extension Option {
    static let perClass = Option("--per-class", help: "Top k of every label, in the index's label order.")
    static let label = Option("--label", value: "L", help: "Only examples with this label.")
    static let exactSearch = Option("--exact", help: "Scan exactly even where the index has approximate (--ann) partitions.")
    static let nprobe = Option("--nprobe", value: "N", help: "IVF lists visited per approximate search (default: each partition's, tuned at build to reach recall@10 0.95; info shows it).")
    static let efSearch = Option("--ef-search", value: "N", help: "HNSW candidates kept per approximate search (default: each partition's, tuned at build; info shows it).")
    static let exclude = Option("--exclude", value: "IDS", help: "Never these example ids (comma-separated).")
    static let mode = Option("--mode", value: "dense|bm25|hybrid",
                             help: "How to score: cosine of embeddings (default), BM25 over words (no model needed), or both mixed.")
    static let bm25Weight = Option("--bm25-weight", value: "W",
                                   help: "hybrid: BM25's share, 0 to 1 (default 0.5); BM25 is min-max scaled per query, cosine taken as is.")
}

/// `exemplar query`: the examples of an index nearest to some texts.
enum QueryCommand {
    static let spec = CommandSpec(
        name: "query",
        usage: "query INDEX [TEXT ...] [--queries FILE] [--k N] [--per-class] [--label L] [options]",
        abstract: "Find the indexed examples most similar to each query text (cosine; exact, or approximate where the index has ann/).",
        discussion: """
            Queries are the TEXT arguments, or the lines of --queries FILE (plain text, one per
            line, or JSON Lines with "text"). Results are by similarity, highest first, ties by
            id. --per-class gives the top k of every label (what demonstration selection uses).
            --json prints one JSON object per query per line:
              {"query": ..., "results": [{"label": ..., "hits": [{"id", "score", "label",
               "split", "line", "text", "text_b"}]}]}
            (without --per-class, one entry with label null holds the hits).

            --mode bm25 scores by Okapi BM25 (k1 1.5, b 0.75, epsilon 0.25: rank_bm25's BM25Okapi,
            what OpenICL's BM25Retriever uses) over the words nltk's word_tokenize gives, case
            kept; the corpus is --split's examples (default: all), with the postings the build
            stored. --mode hybrid ranks by W x BM25 scaled to [0, 1] per query (min-max over the
            corpus) + (1 - W) x cosine.

            Queries are embedded with the prompt and dimension the index records (an E5 index
            built with --prompt-name passage --query-prompt-name query embeds queries with
            "query: "); --prompt-name that differs from it is an error, --query-prompt-name
            overrides it on purpose.

            EXAMPLES:
              exemplar query indexes/sst-2 "a gripping, beautifully acted thriller" --per-class --k 2
              exemplar query indexes/sst-2 --queries questions.txt --k 5 --split train --json
              exemplar query indexes/sst-2 "a gripping thriller" --mode bm25 --split train --k 4
              exemplar query indexes/sst-2 "a gripping thriller" --mode hybrid --bm25-weight 0.3 --per-class
            """,
        options: [
            .queries.with(help: "Read query texts from FILE (text or .jsonl); - is standard input."),
            .inputFormat,
            .k.with(help: "Hits per query, or per label with --per-class (default 5)."),
            .perClass, .label,
            .split.with(value: "S", help: "Only examples of this split (train, dev, test, ...)."),
            .exclude, .mode, .bm25Weight, .exactSearch, .nprobe, .efSearch, .model, .precision,
            .promptName.with(help: "Must be the prompt the index embeds queries with (it is used by default): a check."),
            .prompt.with(help: "As --prompt-name, with the prompt's text."),
            .queryPromptName.with(help: "Embed the queries with this prompt of the model instead of the index's query prompt."),
            .queryPrompt.with(help: "Embed the queries with this prompt text instead of the index's (\"\" for none)."),
            .threads,
            .json.with(help: "One JSON object per query per line."),
        ])

    static func run(_ args: ParsedArguments) throws {
        guard let path = args.positionals.first else {
            throw UsageError(command: spec.name, message: "give an index folder and a query text (or --queries FILE)")
        }
        let folder = URL(fileURLWithPath: path, isDirectory: true)
        var texts = Array(args.positionals.dropFirst())
        if let file = args.string(.queries) {
            let format = try args.choice(.inputFormat, as: InputFormat.self)
                ?? InputFormat.inferred(from: file)
            texts += try SentenceInput.read(path: file, format: format).map(\.text)
        }
        guard !texts.isEmpty else {
            throw UsageError(command: spec.name, message: "no query: give TEXT arguments or --queries FILE")
        }
        let k = try args.int(.k, range: 1...100_000) ?? 5
        let threads = try Common.threads(args, command: spec.name)
        var excluding = Set<UInt32>()
        if let raw = args.string(.exclude) {
            for part in raw.split(separator: ",") {
                guard let id = UInt32(part.trimmingCharacters(in: .whitespaces)) else {
                    throw UsageError(command: spec.name, message: "--exclude takes comma-separated example ids, got \"\(part)\"")
                }
                excluding.insert(id)
            }
        }
        let index = try LoadedIndex.open(folder, lazyRecords: true)
        if index.interruptedBuild {
            FileHandle.standardError.write(Data("exemplar: warning: a later build of \(path) did not finish; searching its last complete state (run 'exemplar build \(path)' to finish it)\n".utf8))
        }
        let filter = index.filter(label: args.string(.label), split: args.string(.split), excluding: excluding)
        if let label = filter.label, !index.exact.labels.contains(label) {
            throw UsageError(command: spec.name, message: "--label \(label) is not a label of \(path); its labels: \(index.exact.labels.joined(separator: ", "))")
        }
        if let split = filter.split, index.manifest.countsBySplit[split] == nil {
            throw UsageError(command: spec.name, message: "--split \(split) is not a split of \(path); its splits: \(index.manifest.countsBySplit.keys.sorted().joined(separator: ", "))")
        }
        let mode = try args.choice(.mode, as: SearchMode.self) ?? .dense
        var weight = 0.5
        if let raw = args.string(.bm25Weight) {
            guard let w = Double(raw), w >= 0 && w <= 1 else {
                throw UsageError(command: spec.name, message: "--bm25-weight must be a number in [0, 1], got \"\(raw)\"")
            }
            weight = w
        }
        if args.string(.bm25Weight) != nil && mode != .hybrid {
            throw UsageError(command: spec.name, message: "--bm25-weight applies to --mode hybrid only")
        }
        let perClass = args.flag(.perClass)
        let method: ExactIndex.Method = args.flag(.exactSearch) ? .exact
            : .automatic(ANNSearchParameters(nprobe: try args.int(.nprobe, range: 1...1_000_000),
                                             efSearch: try args.int(.efSearch, range: 1...1_000_000)))
        var queries: [[Float]] = []
        if mode != .bm25 {
            let encoder = try Common.encoder(forIndex: index, folder: folder, args: args, promptOptions: true)
            let vectors = encoder.encode(texts, threads: threads)
            queries = (0..<vectors.count).map { Array(vectors[$0]) }
        }
        let results: [[(label: String, hits: [Hit])]]
        if mode != .dense {
            let lexical = try LexicalSearch(index: index, split: filter.split)
            results = texts.enumerated().map { i, text in
                lexical.search(text: text, vector: mode == .hybrid ? queries[i] : nil, mode: mode, weight: weight,
                               k: k, perClass: perClass, filter: filter)
            }
        } else if queries.count == 1 {
            results = perClass
                ? [index.exact.searchPerClass(queries[0], k: k, filter: filter, threads: threads, method: method)]
                : [[("", index.exact.search(queries[0], k: k, filter: filter, threads: threads, method: method))]]
        } else {
            results = index.exact.searchBatch(queries, k: k, perClass: perClass, filter: filter, threads: threads, method: method)
        }
        let json = args.flag(.json)
        var out = ""
        for (text, groups) in zip(texts, results) {
            if json {
                out += SearchJSON.result(query: text, groups: groups, perClass: perClass, records: index.records).text + "\n"
                continue
            }
            out += "query: \(text)\n"
            for group in groups {
                if perClass { out += "  label \(group.label)\n" }
                if group.hits.isEmpty { out += "    (no examples)\n" }
                for (rank, hit) in group.hits.enumerated() {
                    let r = index.records[Int(hit.id)]
                    let shown = r.textB.map { r.textA + " ||| " + $0 } ?? r.textA
                    let prefix = String(format: "    %2d. %.4f  #%-6u ", rank + 1, hit.score, hit.id)
                        + r.split.padding(toLength: max(5, r.split.count), withPad: " ", startingAt: 0) + "  "
                    out += prefix + (perClass ? "" : "[\(r.label)] ") + Self.clip(shown, 100) + "\n"
                }
            }
            out += "\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    static func clip(_ s: String, _ n: Int) -> String {
        let flat = s.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= n ? flat : String(flat.prefix(n - 1)) + "…"
    }
}
