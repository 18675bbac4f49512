import ExemplarDemos

extension Option {
    static let allLabels = Option("--all-labels", help: "bm25: the --k best of any label (OpenICL's BM25Retriever; default k 4) instead of --k per label.")
}

extension DemosCommand {
    /// The bm25 policy's options into `request`: `--all-labels` is `per_class` false.
    static func readBM25(_ args: ParsedArguments, into request: inout DemoRequest) throws {
        if args.flag(.allLabels) {
            if args.flag(.perClass) {
                throw UsageError(command: spec.name, message: "give --per-class or --all-labels, not both")
            }
            request.perClass = false
        }
    }
}
