extension DemoRequest {
    /// The topk-dpp policy with its defaults (k 4, candidate_num 100, scale_factor 0.1, dpp_mode
    /// map); throws naming the option: candidate_num below k, a scale factor that is not
    /// positive, a sample seed numpy's `RandomState` would refuse.
    func topkDPPPolicy() throws(DemoError) -> SelectionPolicy {
        let options = TopKDPP(k: k ?? 4, candidates: candidateNum ?? 100, scaleFactor: scaleFactor ?? 0.1,
                              mode: dppMode ?? .map, perClass: perClass ?? false)
        if let candidateNum, !Limits.perLabel.contains(candidateNum) {
            throw .invalidParameter(.candidateNum, value: "\(candidateNum)", reason: "must be in \(Limits.perLabel.lowerBound)...\(Limits.perLabel.upperBound)")
        }
        guard options.candidates >= options.k else {
            throw .invalidParameter(.candidateNum, value: "\(options.candidates)",
                                    reason: "must be at least k (\(options.k)): the DPP chooses k demonstrations among candidate_num candidates" + (options.perClass ? " of each label" : ""))
        }
        guard options.scaleFactor > 0, options.scaleFactor.isFinite else {
            throw .invalidParameter(.scaleFactor, value: "\(options.scaleFactor)", reason: "must be a positive number (OpenICL's default 0.1; smaller weighs relevance more)")
        }
        if options.mode == .sample, seed > UInt64(UInt32.max) {
            throw .invalidParameter(.seed, value: "\(seed)", reason: "dpp_mode sample seeds numpy's RandomState, which takes 0...4294967295")
        }
        return .topkDPP(options)
    }
}
