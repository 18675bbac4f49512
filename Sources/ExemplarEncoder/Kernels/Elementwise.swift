import ExemplarKernels
import Foundation

/// Row-wise and element-wise kernels of the transformer layer (softmax here; LayerNorm and GELU
/// in ExemplarKernels' C kernels). The softmax serves the per-head sgemm path, used where the
/// fused attention kernel has no fast body (no AVX-512, or a head size not a multiple of 16).
///
/// All take contiguous row-major `[rows, width]` buffers.
enum Elementwise {
    /// `x = LayerNorm(x + residual) · gamma + beta`, per row, in place in `x`.
    /// Mean and variance are computed in two passes, as PyTorch does, for accuracy
    /// (`EncoderKernels.addLayerNorm`: AVX-512 where the CPU has it).
    static func addLayerNorm(_ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?,
                             rows: Int, width: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float) {
        EncoderKernels.addLayerNorm(x, residual: residual, rows: rows, width: width, gamma: gamma, beta: beta, eps: eps)
    }

    /// GELU in its exact form, `x · ½ · (1 + erf(x / √2))`, in place (`EncoderKernels.gelu`:
    /// erf by the XLA/Eigen float32 rational approximation, 16 lanes where the CPU has AVX-512).
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        EncoderKernels.gelu(x, count: count)
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
