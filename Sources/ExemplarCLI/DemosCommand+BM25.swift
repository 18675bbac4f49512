import ExemplarDemos

extension Option {
    static let allLabels = Option("--all-labels", help: "bm25: the --k best of any label (OpenICL's BM25Retriever; default k 4) instead of --k per label.")
    /// `--bm25-weight` as demos and evaluate-demos read it (query's `--bm25-weight` is the same key).
    static let demoBM25Weight = Option.bm25Weight.with(help: "bm25: rank by W x BM25 scaled to [0, 1] over the support set + (1 - W) x cosine (query --mode hybrid's score), W in [0, 1]; default BM25 alone.")
}

extension DemosCommand {
    /// The bm25 policy's options into `request`: `--all-labels` is `per_class` false.
    static func readBM25(_ args: ParsedArguments, into request: inout DemoRequest) throws {
        if let raw = args.string(.demoBM25Weight) {
            guard let weight = Double(raw) else {
                throw UsageError(command: spec.name, message: "--bm25-weight must be a number in [0, 1], got \"\(raw)\"")
            }
            request.bm25Weight = weight
        }
        if args.flag(.allLabels) {
            if args.flag(.perClass) {
                throw UsageError(command: spec.name, message: "give --per-class or --all-labels, not both")
            }
            request.perClass = false
        }
    }
}
