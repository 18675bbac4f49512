internal import CEncoderKernels
import Dispatch

/// The encoder's own C kernels (the `CEncoderKernels` target; no other Swift file calls it):
/// fused attention, residual + LayerNorm, GELU and the int8 GEMM (`Int8Linear`).
///
/// Each C entry point runs an AVX-512 body when the CPU has one (checked at run time) and a
/// portable scalar body otherwise; the `portable:` forms always run the scalar body, so tests
/// compare both with plain references on any machine. Pointers are float32 row-major with
/// strides in floats; the functions keep no state and may run on several threads at once.
package enum EncoderKernels {
    /// Whether this CPU runs the AVX-512 bodies (avx512f/bw/vl/dq).
    package static let hasAVX512 = ek_cpu_features() & EK_AVX512 != 0
    /// Whether this CPU has AVX-512 VNNI, which `Int8Linear` needs to be faster than fp32.
    package static let hasVNNI = ek_cpu_features() & (EK_AVX512 | EK_AVX512_VNNI) == (EK_AVX512 | EK_AVX512_VNNI)
    /// Whether this CPU has AVX-512 BF16 (vdpbf16ps), which `BF16Linear` needs to be faster than fp32.
    package static let hasBF16 = ek_cpu_features() & (EK_AVX512 | EK_AVX512_BF16) == (EK_AVX512 | EK_AVX512_BF16)

    /// `x` rounded to bfloat16 as the bf16 kernels round (nearest even; denormals to signed zero).
    package static func bfloat16(_ x: Float) -> UInt16 { ek_bf16_round(x) }

    /// `values` rounded to bfloat16 by the rows kernel `BF16Linear` uses (AVX-512 BF16's
    /// vcvtneps2bf16 where the CPU has it, or the portable body), as one row.
    package static func bfloat16(_ values: [Float], portable: Bool = false) -> [UInt16] {
        let n = values.count, kp = Int(ek_bf16_padded_k(Int32(n)))
        let round = portable ? ek_bf16_round_rows_portable : ek_bf16_round_rows
        let rounded: [UInt16] = filled(kp) { round(values, 1, Int32(n), Int32(n), $0) }
        return Array(rounded.prefix(n))
    }

    /// Whether the C kernels were compiled with optimisation: SwiftPM's debug configuration
    /// compiles C at -O0 (`swift build -Xcc -O2` optimises it), where the fused attention and
    /// `PackedLinear` are slower than OpenBLAS, so the encoder uses OpenBLAS there.
    package static let isOptimized = ek_optimized() != 0

    /// Whether `attention` is the faster path for heads of size `headSize` (its AVX-512 body
    /// needs a multiple of 16, and an optimised build); elsewhere per-head sgemm calls are.
    package static func fusedAttention(headSize: Int) -> Bool { hasAVX512 && isOptimized && headSize % 16 == 0 }

    /// Whether this CPU runs the AVX2 bodies (avx2 and fma) of `PackedLinear` and `RowCodes.scores`.
    package static let hasAVX2 = ek_cpu_features() & EK_AVX2 != 0

    /// Whether `PackedLinear` is faster than OpenBLAS's sgemm here (AVX-512 or AVX2, optimised
    /// build): OpenBLAS packs the weights again at every call, which costs most at the few rows
    /// of one short request.
    package static var packedLinearIsFaster: Bool { (hasAVX512 || hasAVX2) && isOptimized }

    /// Floats of scratch `dotRows` needs for `rows` rows of `width`.
    package static func dotRowsScratch(rows: Int, width: Int) -> Int { ek_f32_packed_floats(Int32(rows), Int32(width)) }

    /// `out[q · ldc + r] = Σ_i queries[q · width + i] · rows[r · width + i]` for `count` queries
    /// and `rowCount` rows, on this thread: the rows packed into `scratch`
    /// (`dotRowsScratch` floats) as `PackedLinear` packs its weights, then the packed GEMM; where
    /// that is not faster than OpenBLAS (`packedLinearIsFaster`), OpenBLAS's sgemm. The packed
    /// body is per row block, so the packing (1/256 of the work at 256 queries) is repeated per query block.
    package static func dotRows(_ queries: UnsafePointer<Float>, count: Int, rows: UnsafePointer<Float>, rowCount: Int, width: Int,
                                scratch: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>, ldc: Int) {
        guard packedLinearIsFaster else {
            BLAS.gemmABt(m: count, n: rowCount, k: width, queries, lda: width, rows, ldb: width, out, ldc: ldc)
            return
        }
        ek_f32_pack_weights(rows, Int32(rowCount), Int32(width), Int32(width), scratch)
        ek_f32_gemm(queries, Int32(count), Int32(width), Int32(width), scratch, nil, Int32(rowCount), out, Int32(ldc))
    }

    /// Floats of 64-byte-aligned scratch `attention` needs for `count` tokens.
    package static func attentionScratch(count: Int, headSize: Int) -> Int {
        ek_attention_scratch(Int32(count), Int32(headSize))
    }

    /// Softmax attention of one sequence of `count` tokens, every head, no BLAS call:
    /// `context[i, h·d ..< (h+1)·d] = Σ_j softmax_j(scale · q_i·k_j + bias_h(j − i)) · v_j`, where
    /// row `t` of `qkv` (stride `ld`) is `[q_t | k_t | v_t]`, each `heads · headSize` wide.
    /// `bias` (MPNet's relative position bias, may be nil) points at head 0's entry for
    /// key − query = 0; head `h`'s entry for distance `r` is `bias[h · biasStride + r]`.
    /// `scratch` holds `attentionScratch(count:headSize:)` floats, 64-byte aligned.
    package static func attention(_ qkv: UnsafePointer<Float>, ld: Int, count: Int, heads: Int, headSize: Int, scale: Float,
                                  bias: UnsafePointer<Float>?, biasStride: Int, into context: UnsafeMutablePointer<Float>,
                                  ldc: Int, scratch: UnsafeMutablePointer<Float>, portable: Bool = false) {
        let run = portable ? ek_attention_portable : ek_attention
        run(qkv, Int32(ld), Int32(count), Int32(heads), Int32(headSize), scale, bias, Int32(biasStride),
            context, Int32(ldc), scratch)
    }

    /// `x[r] = LayerNorm(x[r] + residual[r]) · gamma + beta` for each of `rows` contiguous rows
    /// (residual may be nil); mean and variance in two passes, as PyTorch computes them.
    package static func addLayerNorm(_ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, rows: Int, width: Int,
                                     gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float, portable: Bool = false) {
        let run = portable ? ek_add_layer_norm_portable : ek_add_layer_norm
        run(x, residual, Int32(rows), Int32(width), gamma, beta, eps)
    }

    /// GELU in its erf form, `x · ½ · (1 + erf(x / √2))`, in place (erf: the XLA/Eigen float32
    /// rational approximation, within a few ulp of `erff`).
    package static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int, portable: Bool = false) {
        if portable { ek_gelu_portable(x, count) } else { ek_gelu(x, count) }
    }

    /// `out[r] = Σ_i codes[r·dimension + i] · weights[i]` in float32 (`RowCodes.scores`).
    package static func int8Scores(_ codes: UnsafePointer<Int8>, rows: Int, dimension: Int, weights: UnsafePointer<Float>,
                                   into out: UnsafeMutablePointer<Float>, portable: Bool = false) {
        if portable { ek_s8_scores_portable(codes, Int32(rows), Int32(dimension), weights, out) }
        else { ek_s8_scores(codes, Int32(rows), Int32(dimension), weights, out) }
    }

    /// The largest |weight| `int8ScoresInt16` takes at `dimension` (no int32 sum can overflow).
    package static func int16ScoreLevels(dimension: Int) -> Int { Int(ek_s8_q16_levels(Int32(dimension))) }

    /// `out[r] = Float(Σ_i codes[r·dimension + i] · weights[i]) · step`, the sum exact in int32
    /// (AVX-512 VNNI's vpdpwssd where the CPU has it; both bodies give the same bits).
    package static func int8ScoresInt16(_ codes: UnsafePointer<Int8>, rows: Int, dimension: Int, weights: UnsafePointer<Int16>,
                                        step: Float, into out: UnsafeMutablePointer<Float>, portable: Bool = false) {
        if portable { ek_s8_q16_scores_portable(codes, Int32(rows), Int32(dimension), weights, step, out) }
        else { ek_s8_q16_scores(codes, Int32(rows), Int32(dimension), weights, step, out) }
    }
}

/// A `Linear` layer with int8 weights (dynamic quantisation, `--precision int8`): weights
/// quantised per output channel (symmetric, scale max|w| / 127) once, inputs per row at each
/// call (uint8 with a zero point over the row's range), products summed in int32 exactly
/// (AVX-512 VNNI where the CPU has it), then scaled back to float32 and the bias added.
package struct Int8Linear: Sendable {
    package let outFeatures: Int
    package let inFeatures: Int
    let packed: [Int8]
    let scales: [Float]
    let sums: [Int32]
    let bias: [Float]

    /// Quantises `weight[out, in]` (row-major, contiguous) and keeps a copy of `bias[out]`.
    package init(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, outFeatures: Int, inFeatures: Int) {
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
        let bytes = ek_q8_packed_bytes(Int32(outFeatures), Int32(inFeatures))
        var scales = [Float](repeating: 0, count: outFeatures)
        var sums = [Int32](repeating: 0, count: outFeatures)
        packed = filled(bytes) { ek_q8_pack_weights(weight, Int32(outFeatures), Int32(inFeatures), Int32(inFeatures), $0, &scales, &sums) }
        self.scales = scales
        self.sums = sums
        self.bias = Array(UnsafeBufferPointer(start: bias, count: outFeatures))
    }

    /// `output[rows, out] (row stride outputStride, default out) = input[rows, in] · Wᵀ + bias`, quantised as above.
    package func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
                       outputStride: Int? = nil, portable: Bool = false) {
        guard rows > 0 else { return }
        let kp = Int(ek_q8_padded_k(Int32(inFeatures)))
        var rowScales = [Float](repeating: 0, count: rows)
        var zeros = [Int32](repeating: 0, count: rows)
        let quantise = portable ? ek_q8_quantize_rows_portable : ek_q8_quantize_rows
        let quantised: [UInt8] = filled(rows * kp) { quantise(input, Int32(rows), Int32(inFeatures), Int32(inFeatures), $0, &rowScales, &zeros) }
        let gemm = portable ? ek_q8_gemm_portable : ek_q8_gemm
        gemm(quantised, rowScales, zeros, Int32(rows), Int32(inFeatures), packed, scales, sums, bias,
             Int32(outFeatures), output, Int32(outputStride ?? outFeatures))
    }
}

/// A `Linear` layer with int16 weights (`--precision int16`): weights per output channel and
/// inputs per row at each call, both symmetric with 4095 levels a side (13 bits), products
/// summed in int32 (AVX-512 VNNI's vpdpwssd where the CPU has it) in chunks that cannot
/// overflow, then scaled back to float32 and the bias added. About 30 times finer than
/// `Int8Linear` on both operands, at about twice its cost.
package struct Int16Linear: Sendable {
    package let outFeatures: Int
    package let inFeatures: Int
    let packed: [Int16]
    let scales: [Float]
    let bias: [Float]

    /// Quantises `weight[out, in]` (row-major, contiguous) and keeps a copy of `bias[out]`.
    package init(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, outFeatures: Int, inFeatures: Int) {
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
        let values = ek_q16_packed_values(Int32(outFeatures), Int32(inFeatures))
        var scales = [Float](repeating: 0, count: outFeatures)
        packed = filled(values) { ek_q16_pack_weights(weight, Int32(outFeatures), Int32(inFeatures), Int32(inFeatures), $0, &scales) }
        self.scales = scales
        self.bias = Array(UnsafeBufferPointer(start: bias, count: outFeatures))
    }

    /// `output[rows, out] (row stride outputStride, default out) = input[rows, in] · Wᵀ + bias`, quantised as above.
    package func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
                       outputStride: Int? = nil, portable: Bool = false) {
        guard rows > 0 else { return }
        let kp = Int(ek_q16_padded_k(Int32(inFeatures)))
        var rowScales = [Float](repeating: 0, count: rows)
        let quantise = portable ? ek_q16_quantize_rows_portable : ek_q16_quantize_rows
        let quantised: [Int16] = filled(rows * kp) { quantise(input, Int32(rows), Int32(inFeatures), Int32(inFeatures), $0, &rowScales) }
        let gemm = portable ? ek_q16_gemm_portable : ek_q16_gemm
        gemm(quantised, rowScales, Int32(rows), Int32(inFeatures), packed, scales, bias,
             Int32(outFeatures), output, Int32(outputStride ?? outFeatures))
    }
}

/// A `Linear` layer in bfloat16 (`--precision bf16`): weights rounded to bf16 once, inputs at
/// each call, products of bf16 pairs summed in float32 (AVX-512 BF16's vdpbf16ps where the CPU
/// has it), then the bias added. bf16 keeps float32's range with 8 significant bits, so each
/// value is within 2⁻⁹ of itself relatively, outliers included (no per-row scale to share).
package struct BF16Linear: Sendable {
    package let outFeatures: Int
    package let inFeatures: Int
    let packed: [UInt16]
    let bias: [Float]

    /// Rounds and packs `weight[out, in]` (row-major, contiguous) and keeps a copy of `bias[out]`.
    package init(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, outFeatures: Int, inFeatures: Int) {
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
        let values = ek_bf16_packed_values(Int32(outFeatures), Int32(inFeatures))
        packed = filled(values) { ek_bf16_pack_weights(weight, Int32(outFeatures), Int32(inFeatures), Int32(inFeatures), $0) }
        self.bias = Array(UnsafeBufferPointer(start: bias, count: outFeatures))
    }

    /// `output[rows, out] (row stride outputStride, default out) = bf16(input[rows, in]) · bf16(W)ᵀ + bias`.
    package func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
                       outputStride: Int? = nil, portable: Bool = false) {
        guard rows > 0 else { return }
        let kp = Int(ek_bf16_padded_k(Int32(inFeatures)))
        let round = portable ? ek_bf16_round_rows_portable : ek_bf16_round_rows
        let rounded: [UInt16] = filled(rows * kp) { round(input, Int32(rows), Int32(inFeatures), Int32(inFeatures), $0) }
        let gemm = portable ? ek_bf16_gemm_portable : ek_bf16_gemm
        gemm(rounded, Int32(rows), Int32(inFeatures), packed, bias, Int32(outFeatures), output, Int32(outputStride ?? outFeatures))
    }
}

/// A float32 `Linear` layer with its weights packed once for the AVX-512 body of
/// `ek_f32_gemm` (blocks of 16 output channels, a 6 × 64 register tile); its end-to-end effect
/// is what `scripts/bench-encoder` measures. Sums run in input order with FMAs, so results differ from sgemm's in
/// the last bits only. Use it where `EncoderKernels.packedLinearIsFaster`; elsewhere `BLAS.linear` is.
package struct PackedLinear: Sendable {
    package let outFeatures: Int
    package let inFeatures: Int
    let packed: [Float]
    let bias: [Float]

    /// Packs `weight[out, in]` (row-major, contiguous) and copies `bias[out]`.
    package init(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, outFeatures: Int, inFeatures: Int) {
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
        let floats = ek_f32_packed_floats(Int32(outFeatures), Int32(inFeatures))
        packed = filled(floats) { ek_f32_pack_weights(weight, Int32(outFeatures), Int32(inFeatures), Int32(inFeatures), $0) }
        self.bias = Array(UnsafeBufferPointer(start: bias, count: outFeatures))
    }

    /// `output[rows, out]` (row stride `outputStride`, default out) `= input[rows, in] · Wᵀ + bias`.
    /// With `threads` > 1 and enough work, the output columns are split across that many
    /// threads (whole blocks of 16 each, so every value is computed exactly as on one thread).
    package func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
                       outputStride: Int? = nil, portable: Bool = false, threads: Int = 1) {
        guard rows > 0 else { return }
        let gemm = portable ? ek_f32_gemm_portable : ek_f32_gemm
        let stride = outputStride ?? outFeatures, blocks = (outFeatures + 15) / 16
        // Below about a million multiply-adds a second thread costs more than it saves.
        let parts = rows * outFeatures * inFeatures >= 1 << 20 ? min(threads, blocks / 4) : 1
        guard parts > 1 else {
            gemm(input, Int32(rows), Int32(inFeatures), Int32(inFeatures), packed, bias, Int32(outFeatures), output, Int32(stride))
            return
        }
        let perPart = 16 * ((blocks + parts - 1) / parts), n = outFeatures, k = inFeatures
        let packed = packed, bias = bias
        // The caller's buffers outlive the call and each part writes only its own columns:
        // their addresses cross to the worker threads as integers.
        let from = Int(bitPattern: input), to = Int(bitPattern: output)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let c0 = part * perPart, columns = min(n - c0, perPart)
            guard columns > 0, let input = UnsafePointer<Float>(bitPattern: from),
                  let output = UnsafeMutablePointer<Float>(bitPattern: to) else { return }
            packed.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    gemm(input, Int32(rows), Int32(k), Int32(k), w.baseAddress! + c0 * k, b.baseAddress! + c0,
                         Int32(columns), output + c0, Int32(stride))
                }
            }
        }
    }
}

/// An array of `count` values, every one written by `fill` (a C kernel that packs, quantises or rounds).
func filled<T>(_ count: Int, _ fill: (UnsafeMutablePointer<T>) -> Void) -> [T] {
    [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        fill(buffer.baseAddress!)
        initialized = count
    }
}

/// A dense layer built from a row-major weight matrix and a bias (`PackedLinear`, `Int8Linear`, `Int16Linear`, `BF16Linear`).
package protocol StackableLinear {
    init(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, outFeatures: Int, inFeatures: Int)
}

extension StackableLinear {
    /// Several layers over the same input as one (Q, K and V): their weights stacked, outputs side by side.
    package init(stacking layers: [(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>)], outFeatures: Int, inFeatures: Int) {
        var weight = [Float](), bias = [Float]()
        for layer in layers {
            weight.append(contentsOf: UnsafeBufferPointer(start: layer.weight, count: outFeatures * inFeatures))
            bias.append(contentsOf: UnsafeBufferPointer(start: layer.bias, count: outFeatures))
        }
        self.init(weight: weight, bias: bias, outFeatures: layers.count * outFeatures, inFeatures: inFeatures)
    }
}

extension PackedLinear: StackableLinear {}
extension Int8Linear: StackableLinear {}
extension Int16Linear: StackableLinear {}
extension BF16Linear: StackableLinear {}
