import ExemplarData
import ExemplarDemos
import ExemplarEncoder
import Foundation

extension Option {
    static let contextOrder = Option("--context-order", value: "O", help: "Order of demonstrations in a context: label (per-label policies' default), similar-last (KATE's), similar-first, random (seeded).")
    static let maxSimilarity = Option("--max-similarity", value: "X", help: "Support examples with cosine above X to the query are not candidates (leakage guard, e.g. 0.95).")
    static let maxContextTokens = Option("--max-context-tokens", value: "N", help: "Drop the least similar demonstrations until the context has at most N tokens.")
    static let tokenizer = Option("--tokenizer", value: "PATH", help: "The target LM's tokenizer: a model folder (tokenizer.json or vocab.txt) or a tokenizer.json. Its tokens count the sentence limits, --max-seq-length and --max-context-tokens (default for that: the index model's); with LM-BFF's rules (--lmbff-task, limits, --ids) its special tokens are the default.")
    static let lmbffTask = Option("--lmbff-task", value: "TASK", help: "LM-BFF's run_experiment.sh settings for TASK: template, label words, sentence limits, --double-demo, --max-seq-length, --num-sample (options given win). Needs --tokenizer.")
    static let firstSentLimit = Option("--first-sent-limit", value: "N", help: "Most tokens of sentence 0 (LM-BFF's first_sent_limit; cut mid-word). Needs --tokenizer.")
    static let otherSentLimit = Option("--other-sent-limit", value: "N", help: "Most tokens of every other sentence, demonstrations' included (other_sent_limit). Needs --tokenizer.")
    static let maxSeqLength = Option("--max-seq-length", value: "N", help: "Cut each context to N tokens from the tail (LM-BFF's max_seq_length; default 128 with --ids). Needs --tokenizer.")
    static let doubleDemo = Option("--double-demo", help: "Twice --max-seq-length (LM-BFF's --double_demo).")
    static let truncateHead = Option("--truncate-head", help: "Cut over-long contexts from the head instead (LM-BFF's --truncate_head).")
    static let sampling = Option("--sampling", value: "per-query|lmbff", help: "per-query (default): a stream per (seed, query), independent of the other queries; lmbff: LM-BFF's numpy stream, draw for draw (policies lmbff, random, in-context).")
    static let ids = Option("--ids", help: "Add token ids per context: input_ids, attention_mask, token_type_ids (BERT), mask_pos, label_word_list (and labels in hf-jsonl). Needs --tokenizer.")
    /// `--format` of `demos` (`build` has its own help for it).
    static let demoFormat = Option.format.with(value: "jsonl|hf-jsonl|ice-idx", help: "jsonl (default: one line per query and sample), hf-jsonl (one row per query and sample with a demonstrations column, for datasets' json loader) or ice-idx (OpenICL's ice_idx: a JSON list of support-index lists).")
}

/// The context options of `exemplar demos` (and `evaluate-demos`): read into a `DemoRequest`, and the tokenizer counting its budget.
enum DemoContextOptions {
    static let options: [Option] = [.contextOrder, .maxSimilarity, .maxContextTokens, .tokenizer]
    /// LM-BFF's training-input options (`demos`).
    static let lmbffOptions: [Option] = [.lmbffTask, .firstSentLimit, .otherSentLimit, .maxSeqLength, .doubleDemo, .truncateHead, .sampling, .ids]

    /// Sets the LM-BFF input fields from the options.
    static func readLMBFF(_ args: ParsedArguments, into request: inout DemoRequest, command: String) throws {
        if let name = args.string(.lmbffTask) {
            guard let task = LMBFFTask(name: name) else {
                throw UsageError(command: command, message: "--lmbff-task \(name) is not an LM-BFF task; tasks: \(LMBFFTask.allCases.map(\.name).joined(separator: ", "))")
            }
            request.lmbffTask = task
        }
        request.firstSentLimit = try args.int(.firstSentLimit, range: 0...Int(Int32.max))
        request.otherSentLimit = try args.int(.otherSentLimit, range: 0...Int(Int32.max))
        request.maxSeqLength = try args.int(.maxSeqLength, range: DemoRequest.Limits.maxSeqLength)
        if args.flag(.doubleDemo) { request.doubleDemo = true }
        if args.flag(.truncateHead) { request.truncateHead = true }
        request.sampling = try args.choice(.sampling, as: DemoRequest.Sampling.self)
        request.ids = args.flag(.ids)
    }

    /// Sets the request's context fields from the options (types here, ranges in `DemoRequest`).
    static func read(_ args: ParsedArguments, into request: inout DemoRequest, command: String) throws {
        request.contextOrder = try args.choice(.contextOrder, as: ContextOrder.self)
        if let raw = args.string(.maxSimilarity) {
            guard let x = Double(raw), x.isFinite else { throw UsageError(command: command, message: "--max-similarity must be a number in [-1, 1], got \"\(raw)\"") }
            request.maxSimilarity = x
        }
        if let raw = args.string(.maxContextTokens) {
            guard let n = Int(raw) else { throw UsageError(command: command, message: "--max-context-tokens must be an integer, got \"\(raw)\"") }
            request.maxContextTokens = n
        }
    }

    /// The tokenizer for the budget: --tokenizer DIR, else the model's (the index's, or --model / the default); nil without a budget.
    static func tokenizer(_ args: ParsedArguments, request: DemoRequest, source: DemoSource) throws -> (any TemplateTokenizer)? {
        if let path = args.string(.tokenizer) {
            guard FileManager.default.fileExists(atPath: path) else {
                throw UsageError(command: "demos", message: "--tokenizer \(path): no such folder or file (give a model folder or its tokenizer.json)")
            }
            return try ModelTokenizer(folder: URL(fileURLWithPath: path))
        }
        guard request.maxContextTokens != nil else { return nil }
        if let index = source.index, let folder = args.positionals.first {
            return ModelTokenizer(try Common.encoder(forIndex: index, folder: URL(fileURLWithPath: folder, isDirectory: true), args: args).tokenizer)
        }
        return ModelTokenizer(try Common.loadEncoder(args).tokenizer)
    }
}
