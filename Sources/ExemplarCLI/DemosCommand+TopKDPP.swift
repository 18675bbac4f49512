import ExemplarDemos

extension Option {
    static let candidateNum = Option("--candidate-num", value: "N", help: "topk-dpp: candidates by cosine before the DPP, at least --k (default 100, CEIL's dpp_topk).")
    static let scaleFactor = Option("--scale-factor", value: "X", help: "topk-dpp: OpenICL's scale_factor; smaller weighs relevance more (default 0.1).")
    static let dppMode = Option("--dpp-mode", value: "map|sample", help: "topk-dpp: greedy MAP (default, deterministic) or an exact k-DPP sample (--seed).")
}

extension DemosCommand {
    /// The topk-dpp options into `request` (types checked here, ranges by the request).
    static func readTopKDPP(_ args: ParsedArguments, into request: inout DemoRequest) throws {
        request.candidateNum = try args.int(.candidateNum, range: Int.min...Int.max)
        if let raw = args.string(.scaleFactor) {
            guard let value = Double(raw), value.isFinite else {
                throw UsageError(command: spec.name, message: "--scale-factor must be a number, got \"\(raw)\"")
            }
            request.scaleFactor = value
        }
        request.dppMode = try args.choice(.dppMode, as: TopKDPP.Mode.self)
        if args.flag(.perClass) { request.perClass = true }
    }
}
