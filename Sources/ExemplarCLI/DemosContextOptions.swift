import ExemplarDemos
import ExemplarEncoder
import Foundation

extension Option {
    static let contextOrder = Option("--context-order", value: "O", help: "Order of demonstrations in a context: label (per-label policies' default), similar-last (KATE's), similar-first, random (seeded).")
    static let maxSimilarity = Option("--max-similarity", value: "X", help: "Support examples with cosine above X to the query are not candidates (leakage guard, e.g. 0.95).")
    static let maxContextTokens = Option("--max-context-tokens", value: "N", help: "Drop the least similar demonstrations until the context has at most N tokens.")
    static let tokenizer = Option("--tokenizer", value: "DIR", help: "Tokenizer folder (tokenizer.json or vocab.txt) counting --max-context-tokens (default: the index model's).")
    /// `--format` of `demos` (`build` has its own help for it).
    static let demoFormat = Option.format.with(value: "jsonl|hf-jsonl|ice-idx", help: "jsonl (default: one line per query and sample), hf-jsonl (one row per query and sample with a demonstrations column, for datasets' json loader) or ice-idx (OpenICL's ice_idx: a JSON list of support-index lists).")
}

/// The context options of `exemplar demos` (and `evaluate-demos`): read into a `DemoRequest`, and the tokenizer counting its budget.
enum DemoContextOptions {
    static let options: [Option] = [.contextOrder, .maxSimilarity, .maxContextTokens, .tokenizer]

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
        if let folder = args.string(.tokenizer) {
            return try ModelTokenizer(folder: URL(fileURLWithPath: folder, isDirectory: true))
        }
        guard request.maxContextTokens != nil else { return nil }
        if let index = source.index, let folder = args.positionals.first {
            return ModelTokenizer(try Common.encoder(forIndex: index, folder: URL(fileURLWithPath: folder, isDirectory: true), args: args).tokenizer)
        }
        return ModelTokenizer(try Common.loadEncoder(args).tokenizer)
    }
}
