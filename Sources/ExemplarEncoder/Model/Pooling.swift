import Foundation

/// How token states become one sentence vector, from `1_Pooling/config.json`.
///
/// When several modes are on, their vectors are concatenated in the config's order: the
/// legacy `pooling_mode_*_tokens` booleans in sentence-transformers' order (CLS, max, mean,
/// mean-sqrt-len, weighted mean, last token), a `pooling_mode` list in its own order.
/// With `includePrompt` false, the tokens of a prompt (sentence-transformers' `prompt_length`:
/// the prompt's ids without its trailing special token, so `[CLS]` too) are left out of every mode.
public struct Pooling: Sendable, Equatable {
    /// One pooling mode, named as sentence-transformers' `pooling_mode` names it.
    public enum Mode: String, Sendable, CaseIterable {
        case cls, max, mean
        case meanSqrtLen = "mean_sqrt_len_tokens"
        case weightedMean = "weightedmean"
        case lastToken = "lasttoken"

        /// The name in manifests (`mean_sqrt_len` as earlier versions wrote it).
        var shortName: String { self == .meanSqrtLen ? "mean_sqrt_len" : rawValue }
    }

    public var modes: [Mode]
    /// False: prompt tokens do not count (sentence-transformers' `include_prompt`).
    public var includePrompt: Bool

    public init(modes: [Mode] = [.mean], includePrompt: Bool = true) {
        self.modes = modes
        self.includePrompt = includePrompt
    }

    public init(cls: Bool = false, max: Bool = false, mean: Bool = true, meanSqrtLen: Bool = false) {
        let on: [(Bool, Mode)] = [(cls, .cls), (max, .max), (mean, .mean), (meanSqrtLen, .meanSqrtLen)]
        self.init(modes: on.filter(\.0).map(\.1))
    }

    public var cls: Bool { modes.contains(.cls) }
    public var max: Bool { modes.contains(.max) }
    public var mean: Bool { modes.contains(.mean) }
    public var meanSqrtLen: Bool { modes.contains(.meanSqrtLen) }

    /// Number of modes on; the sentence vector is `modeCount × hidden` long.
    public var modeCount: Int { modes.count }

    /// The modes in words, e.g. `mean`, `cls+max`, `lasttoken (prompt excluded)`: part of `ModelIdentity`.
    public var description: String {
        modes.map(\.shortName).joined(separator: "+") + (includePrompt ? "" : " (prompt excluded)")
    }

    static func load(_ url: URL) throws(EncoderError) -> Pooling {
        let file = try JSONFile.read(url)
        let includePrompt = try file.bool("include_prompt") ?? true
        // sentence-transformers 5.x and later write one "pooling_mode": a string or a list of them.
        if let value = file.field("pooling_mode") {
            let names: [String]
            if let list = value.arrayValue {
                names = try list.enumerated().map { (i, item) throws(EncoderError) -> String in
                    guard let s = item.stringValue else { throw file.error("pooling_mode", "item \(i) must be a string") }
                    return s
                }
            } else if let s = value.stringValue {
                names = [s]
            } else {
                throw file.error("pooling_mode", "must be a mode name or a list of them")
            }
            let modes = try names.map { (name) throws(EncoderError) -> Mode in
                guard let mode = Mode(rawValue: name == "mean_sqrt_len" ? Mode.meanSqrtLen.rawValue : name) else {
                    throw .unsupported(path: url.path, reason: "pooling_mode \"\(name)\" is not implemented (\(Mode.allCases.map(\.rawValue).joined(separator: ", ")) are)")
                }
                return mode
            }
            guard !modes.isEmpty else { throw file.error("pooling_mode", "lists no mode") }
            return Pooling(modes: modes, includePrompt: includePrompt)
        }
        let legacy: [(String, Mode)] = [
            ("pooling_mode_cls_token", .cls), ("pooling_mode_max_tokens", .max), ("pooling_mode_mean_tokens", .mean),
            ("pooling_mode_mean_sqrt_len_tokens", .meanSqrtLen), ("pooling_mode_weightedmean_tokens", .weightedMean),
            ("pooling_mode_lasttoken", .lastToken),
        ]
        var modes: [Mode] = []
        for (key, mode) in legacy where try file.bool(key) ?? false { modes.append(mode) }
        guard !modes.isEmpty else {
            throw .invalidModelFile(path: url.path, reason: "no pooling mode is enabled")
        }
        return Pooling(modes: modes, includePrompt: includePrompt)
    }

    /// Pools `count` rows of width `width` starting at `rows` into `out` (`modeCount × width`),
    /// leaving out the first `skip` rows (the prompt's tokens, when `includePrompt` is false)
    /// exactly as sentence-transformers masks them: a mode with no row left gives what its
    /// masked PyTorch form gives (CLS the first row, max −∞, last token and the means 0).
    func pool(_ rows: UnsafePointer<Float>, count: Int, width: Int, skip: Int = 0, into out: UnsafeMutablePointer<Float>) {
        let first = Swift.min(skip, count)
        var o = out
        var sum: [Float]?
        func tokenSum() -> [Float] {
            if let sum { return sum }
            var s = [Float](repeating: 0, count: width)
            for t in first..<count {
                let r = rows + t * width
                for i in 0..<width { s[i] += r[i] }
            }
            sum = s
            return s
        }
        let valid = count - first
        for mode in modes {
            switch mode {
            case .cls:
                o.update(from: rows + (valid > 0 ? first : 0) * width, count: width)
            case .max:
                o.update(repeating: -Float.infinity, count: width)
                for t in first..<count {
                    let r = rows + t * width
                    for i in 0..<width where r[i] > o[i] { o[i] = r[i] }
                }
            case .mean, .meanSqrtLen:
                let s = tokenSum()
                let n = Swift.max(Float(valid), 1e-9)
                let d = mode == .mean ? n : n.squareRoot()
                for i in 0..<width { o[i] = s[i] / d }
            case .weightedMean:
                // Position weights 1, 2, ... counted from the first token (prompt tokens keep their places).
                var s = [Float](repeating: 0, count: width)
                var total: Float = 0
                for t in first..<count {
                    let w = Float(t + 1)
                    total += w
                    let r = rows + t * width
                    for i in 0..<width { s[i] += w * r[i] }
                }
                let d = Swift.max(total, 1e-9)
                for i in 0..<width { o[i] = s[i] / d }
            case .lastToken:
                if valid > 0 {
                    o.update(from: rows + (count - 1) * width, count: width)
                } else {
                    o.update(repeating: 0, count: width)
                }
            }
            o += width
        }
    }
}
