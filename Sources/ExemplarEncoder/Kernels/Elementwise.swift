import Foundation

/// Row-wise and element-wise kernels of the transformer layer.
///
/// All take contiguous row-major `[rows, width]` buffers.
enum Elementwise {
    /// `x = LayerNorm(x + residual) · gamma + beta`, per row, in place in `x`.
    /// Mean and variance are computed in two passes, as PyTorch does, for accuracy.
    static func addLayerNorm(_ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?,
                             rows: Int, width: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float) {
        for r in 0..<rows {
            let row = x + r * width
            if let residual {
                let res = residual + r * width
                for i in 0..<width { row[i] += res[i] }
            }
            var sum: Float = 0
            for i in 0..<width { sum += row[i] }
            let mean = sum / Float(width)
            var sq: Float = 0
            for i in 0..<width {
                let d = row[i] - mean
                sq += d * d
            }
            let inv = 1 / (sq / Float(width) + eps).squareRoot()
            for i in 0..<width {
                row[i] = (row[i] - mean) * inv * gamma[i] + beta[i]
            }
        }
    }

    /// GELU in its exact form, `x · ½ · (1 + erf(x / √2))`, in place.
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let invSqrt2: Float = 0.70710678118654752440
        for i in 0..<count {
            let v = x[i]
            x[i] = 0.5 * v * (1 + erff(v * invSqrt2))
        }
    }

    /// Softmax of each row of `[rows, width]` (row stride `stride`), in place.
    static func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, stride: Int) {
        for r in 0..<rows {
            let row = x + r * stride
            var m = -Float.infinity
            for i in 0..<width { m = max(m, row[i]) }
            var sum: Float = 0
            for i in 0..<width {
                let e = expf(row[i] - m)
                row[i] = e
                sum += e
            }
            let inv = 1 / sum
            for i in 0..<width { row[i] *= inv }
        }
    }
}
