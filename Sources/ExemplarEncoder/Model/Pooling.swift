import Foundation

/// How token states become one sentence vector, from `1_Pooling/config.json`.
///
/// When several modes are on, their vectors are concatenated in sentence-transformers'
/// order: CLS, max, mean, mean-sqrt-len.
public struct Pooling: Sendable, Equatable {
    public var cls = false
    public var max = false
    public var mean = true
    public var meanSqrtLen = false

    public init(cls: Bool = false, max: Bool = false, mean: Bool = true, meanSqrtLen: Bool = false) {
        self.cls = cls
        self.max = max
        self.mean = mean
        self.meanSqrtLen = meanSqrtLen
    }

    /// Number of modes on; the sentence vector is `modeCount × hidden` long.
    public var modeCount: Int { [cls, max, mean, meanSqrtLen].filter { $0 }.count }

    static func load(_ url: URL) throws(EncoderError) -> Pooling {
        let file = try JSONFile.read(url)
        // Newer sentence-transformers write one "pooling_mode" string instead of booleans.
        if let mode = try file.string("pooling_mode") {
            switch mode {
            case "cls": return Pooling(cls: true, mean: false)
            case "mean": return Pooling(mean: true)
            case "max": return Pooling(max: true, mean: false)
            case "mean_sqrt_len_tokens", "mean_sqrt_len": return Pooling(mean: false, meanSqrtLen: true)
            default:
                throw .unsupported(path: url.path, reason: "pooling_mode \"\(mode)\" is not implemented (cls, mean, max, mean_sqrt_len_tokens are)")
            }
        }
        let weighted = try file.bool("pooling_mode_weightedmean_tokens") ?? false
        let lastToken = try file.bool("pooling_mode_lasttoken") ?? false
        if weighted || lastToken {
            throw .unsupported(path: url.path, reason: "weighted-mean and last-token pooling are not implemented")
        }
        let pooling = Pooling(
            cls: try file.bool("pooling_mode_cls_token") ?? false,
            max: try file.bool("pooling_mode_max_tokens") ?? false,
            mean: try file.bool("pooling_mode_mean_tokens") ?? false,
            meanSqrtLen: try file.bool("pooling_mode_mean_sqrt_len_tokens") ?? false)
        guard pooling.modeCount > 0 else {
            throw .invalidModelFile(path: url.path, reason: "no pooling mode is enabled")
        }
        return pooling
    }

    /// Pools `count` rows of width `width` starting at `rows` into `out` (`modeCount × width`).
    func pool(_ rows: UnsafePointer<Float>, count: Int, width: Int, into out: UnsafeMutablePointer<Float>) {
        var o = out
        if cls {
            o.update(from: rows, count: width)
            o += width
        }
        if max {
            o.update(from: rows, count: width)
            for t in 1..<Swift.max(count, 1) {
                let r = rows + t * width
                for i in 0..<width where r[i] > o[i] { o[i] = r[i] }
            }
            o += width
        }
        if mean || meanSqrtLen {
            var sum = [Float](repeating: 0, count: width)
            for t in 0..<count {
                let r = rows + t * width
                for i in 0..<width { sum[i] += r[i] }
            }
            if mean {
                let n = Float(Swift.max(count, 1))
                for i in 0..<width { o[i] = sum[i] / n }
                o += width
            }
            if meanSqrtLen {
                let n = Float(Swift.max(count, 1)).squareRoot()
                for i in 0..<width { o[i] = sum[i] / n }
            }
        }
    }
}
