import ExemplarData
import ExemplarDemos
import ExemplarIndex
import ExemplarIO
import ExemplarJSON
import ExemplarStore
import Foundation

extension Option {
    static let budget = Option("--budget", value: "N", help: "How many examples to choose for labelling, at most the pool's size. Required.")
    static let method = Option("--method", value: "votek|random|kmeans", help: "Selection method (default votek).")
    static let votekK = Option("--votek-k", value: "N", help: "votek: neighbours each example votes for (OpenICL's votek_k, default 3).")
    static let overlapThreshold = Option("--overlap-threshold", value: "X", help: "votek: skip an example whose voters overlap an earlier one's by this fraction, in (0, 1] (default 1).")
    static let iterations = Option("--iterations", value: "N", help: "kmeans: most Lloyd iterations (default 100).")
}

/// `exemplar annotate`: which examples of an unlabelled pool to label (selective annotation).
enum AnnotateCommand {
    static let spec = CommandSpec(
        name: "annotate",
        usage: "annotate (INDEX | --data PATH (--task T | --format F ...)) --budget N [--method votek|random|kmeans] [--seed 42] [--split train] [--output FILE] [--json]",
        abstract: "Choose which examples of a pool to label (Vote-k, random or k-means medoids), written in the data's own format.",
        discussion: """
            Selective annotation (Su et al. 2022): with a budget of N labels, choose the N pool
            examples whose labels serve in-context learning best, then label only those. The pool
            is one split (--split, default train) of an index (its stored vectors) or of a data
            file or LM-BFF folder (--data, embedded with the model through the embedding cache).

            Methods:
              votek   OpenICL's votek_select: every example votes for its --votek-k nearest
                      neighbours (cosine); by votes, most first, an example is taken unless its
                      voters overlap an earlier one's by --overlap-threshold; the rest of the
                      budget is random.sample of the others after Python's random.seed(SEED)
                      (default)
              random  np.random.seed(SEED); np.random.choice(n, N, replace=False), as OpenICL's
                      RandomRetriever draws
              kmeans  N k-means clusters (k-means++ seeded with numpy's RandomState(SEED), Lloyd
                      iterations) and the example nearest each centroid
            Selections are deterministic for --seed and equal OpenICL's for the same embeddings.

            Output: the chosen rows in the data file's own layout (its header, columns, quoting:
            the bytes of those lines), in selection order, to --output (default standard
            output), ready to label and use as a training split. --json prints a summary on
            standard output instead: {"method", "budget", "seed", "split", "pool", "file",
            "selected": [{"rank", "position", "id", "line", "label", "text", "text_b"}]}
            (position: 0-based in the pool, as OpenICL's indices; id: the index's record id).

            EXAMPLES:
              exemplar annotate indexes/sst-2-full --budget 100 --output to-label.tsv
              exemplar annotate --data data/original/SST-2 --task SST-2 --budget 18 --method kmeans --seed 13
              exemplar annotate --data pool.jsonl --format jsonl --budget 50 --json
            """,
        options: [
            .budget, .method, .seed.with(help: "Random seed, 0...4294967295 (default 42)."),
            .votekK, .overlapThreshold, .iterations,
            .split.with(help: "The pool's split (default train)."),
            .data.with(value: "PATH", help: "Instead of an index: a data file or LM-BFF folder (with --task, or --format and the column options)."),
            .task.with(help: "The data's LM-BFF task (with --data)."),
            .format, .textColumn, .textBColumn, .labelColumn,
            .output.with(help: "Where to write the chosen rows (default standard output)."),
            .json.with(help: "Print the selection as JSON (rows go to --output only)."),
            .model, .cache, .batchSize, .threads,
        ])

    static func run(_ args: ParsedArguments) throws {
        guard let budget = try args.int(.budget, range: Int.min...Int.max) else {
            throw UsageError(command: spec.name, message: "--budget N is required: how many examples to choose for labelling")
        }
        let seed = UInt32(try args.int(.seed, range: 0...Int(UInt32.max)) ?? 42)
        let method = try annotationMethod(args)
        let split = args.string(.split) ?? "train"
        let pool = try AnnotationInput.load(args, split: split, command: spec.name)
        guard budget >= 1, budget <= pool.records.count else {
            throw UsageError(command: spec.name, message: "--budget \(budget) must be between 1 and the pool's size: split \(split) of \(pool.name) has \(pool.records.count) examples")
        }
        let chosen: [Int]
        do {
            chosen = try AnnotationPool(vectors: pool.vectors, dimension: pool.dimension).select(budget: budget, method: method, seed: seed)
        } catch {
            throw UsageError(command: spec.name, message: "--" + error.description)
        }

        let rows = SourceRows(bytes: pool.fileBytes, starts: pool.records.map(\.line))
        let text = rows.header + chosen.map { rows.rows[pool.records[$0].line] ?? "" }.joined()
        let json = args.flag(.json)
        if let path = args.string(.output) ?? (json ? nil : "-") {
            var out = try OutputFile(path: path)
            do {
                try out.write(Array(text.utf8))
                try out.commit()
            } catch {
                out.discard()
                throw error
            }
        }
        if json {
            let selected: [JSONValue] = chosen.enumerated().map { rank, position in
                let r = pool.records[position]
                return .object(dropping: [("id", pool.fromIndex ? .int(Int(r.id)) : nil), ("label", .string(r.label)),
                                          ("line", .int(r.line)), ("position", .int(position)), ("rank", .int(rank)),
                                          ("text", .string(r.textA)), ("text_b", r.textB.map(JSONValue.string))])
            }
            let summary = JSONValue.object([
                ("budget", .int(budget)), ("file", .string(pool.file)), ("method", .string(method.name)),
                ("pool", .int(pool.records.count)), ("seed", .int(Int(seed))), ("selected", .array(selected)), ("split", .string(split)),
            ])
            FileHandle.standardOutput.write(Data((summary.prettyText + "\n").utf8))
        }
    }

    static func annotationMethod(_ args: ParsedArguments) throws -> AnnotationMethod {
        let name = args.string(.method) ?? "votek"
        switch name {
        case "votek":
            var threshold = 1.0
            if let raw = args.string(.overlapThreshold) {
                guard let value = Double(raw), value > 0, value <= 1 else {
                    throw UsageError(command: spec.name, message: "--overlap-threshold must be a number in (0, 1] (OpenICL's default 1), got \"\(raw)\"")
                }
                threshold = value
            }
            return .voteK(k: try args.int(.votekK, range: 1...10_000) ?? 3, overlapThreshold: threshold)
        case "random": return .random
        case "kmeans": return .kMeans(iterations: try args.int(.iterations, range: 1...100_000) ?? 100)
        default:
            throw UsageError(command: spec.name, message: "--method must be votek, random or kmeans, got \"\(name)\"")
        }
    }
}
