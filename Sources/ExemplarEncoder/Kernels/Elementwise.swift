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
    ///
    /// erf is evaluated 8 lanes at a time by `erf8`; the scalar tail uses libm's `erff`.
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let invSqrt2: Float = 0.70710678118654752440
        var i = 0
        let raw = UnsafeMutableRawPointer(x)
        while i + 8 <= count {
            let v = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            let y = 0.5 * v * (1 + erf8(v * invSqrt2))
            raw.storeBytes(of: y, toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            let v = x[i]
            x[i] = 0.5 * v * (1 + erff(v * invSqrt2))
            i += 1
        }
    }

    /// erf on 8 lanes: the odd/even rational minimax approximation used by XLA and Eigen for
    /// float32 (`x·P(x²)/Q(x²)` on [-4, 4], ±1 beyond), within a few ulp of `erff`;
    /// `KernelTests` checks it against double-precision `erf`.
    @inline(__always)
    static func erf8(_ input: SIMD8<Float>) -> SIMD8<Float> {
        let x = input.clamped(lowerBound: SIMD8(repeating: -4), upperBound: SIMD8(repeating: 4))
        let x2 = x * x
        var p = x2 * -2.72614225801306e-10 + 2.77068142495902e-08
        p = x2 * p + -2.10102402082508e-06
        p = x2 * p + -5.69250639462346e-05
        p = x2 * p + -7.34990630326855e-04
        p = x2 * p + -2.95459980854025e-03
        p = x2 * p + -1.60960333262415e-02
        p = x * p
        var q = x2 * -1.45660718464996e-05 + -2.13374055278905e-04
        q = x2 * q + -1.68282697438203e-03
        q = x2 * q + -7.37332916720468e-03
        q = x2 * q + -1.42647390514189e-02
        return p / q
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
