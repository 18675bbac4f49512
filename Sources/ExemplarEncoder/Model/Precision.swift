import ExemplarKernels

/// The arithmetic of the encoder's dense layers. `fp32` is the default and the parity
/// reference. `int8` and `int16` are dynamic quantisation, faster where the CPU has AVX-512
/// VNNI: `int8` (`Int8Linear`: per-channel int8 weights, per-row uint8 activations) is the
/// fastest with the larger drift, `int16` (`Int16Linear`: 13-bit weights and activations)
/// drifts about a hundred times less. `bf16` (`BF16Linear`: weights and activations rounded to
/// bfloat16, sums in float32) needs AVX-512 BF16. BENCHMARKS.md reports each one's min cosine
/// to fp32 and top-10 agreement. Attention, LayerNorm, GELU and pooling stay float32 in every precision.
public enum Precision: String, Sendable, CaseIterable, Hashable {
    case fp32, int8, int16, bf16

    /// What this CPU runs when `self` is asked for: the integer precisions need AVX-512 VNNI
    /// and bf16 needs AVX-512 BF16, else fp32 (the fallback; their portable bodies compute the
    /// same thing, but slower than fp32 sgemm).
    public var available: Precision {
        switch self {
        case .fp32: .fp32
        case .int8, .int16: EncoderKernels.hasVNNI ? self : .fp32
        case .bf16: EncoderKernels.hasBF16 ? self : .fp32
        }
    }

    /// The CPU feature this precision needs to run as itself, for messages.
    public var requiredFeature: String {
        switch self {
        case .fp32: "nothing"
        case .int8, .int16: "AVX-512 VNNI"
        case .bf16: "AVX-512 BF16"
        }
    }
}

/// One encoder layer's dense layers in a packed form made once at load: float32 packed for
/// `PackedLinear` (where the CPU has AVX-512), int8 for `Int8Linear`, int16 for `Int16Linear` or bf16 for `BF16Linear`. Q, K and V are stacked
/// into one `[3H, H]` matrix, so the three projections are one GEMM.
struct PackedLayer: Sendable {
    /// A dense layer in either form.
    enum Linear: Sendable {
        case fp32(PackedLinear)
        case int8(Int8Linear)
        case int16(Int16Linear)
        case bf16(BF16Linear)

        init(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, out: Int, in inFeatures: Int, precision: Precision) {
            switch precision {
            case .fp32: self = .fp32(PackedLinear(weight: weight, bias: bias, outFeatures: out, inFeatures: inFeatures))
            case .int8: self = .int8(Int8Linear(weight: weight, bias: bias, outFeatures: out, inFeatures: inFeatures))
            case .int16: self = .int16(Int16Linear(weight: weight, bias: bias, outFeatures: out, inFeatures: inFeatures))
            case .bf16: self = .bf16(BF16Linear(weight: weight, bias: bias, outFeatures: out, inFeatures: inFeatures))
            }
        }

        /// Layers over the same input stacked into one (Q, K and V), outputs side by side.
        init(stacking layers: [(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>)], out: Int, in inFeatures: Int,
             precision: Precision) {
            switch precision {
            case .fp32: self = .fp32(PackedLinear(stacking: layers, outFeatures: out, inFeatures: inFeatures))
            case .int8: self = .int8(Int8Linear(stacking: layers, outFeatures: out, inFeatures: inFeatures))
            case .int16: self = .int16(Int16Linear(stacking: layers, outFeatures: out, inFeatures: inFeatures))
            case .bf16: self = .bf16(BF16Linear(stacking: layers, outFeatures: out, inFeatures: inFeatures))
            }
        }

        func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>, threads: Int = 1) {
            switch self {
            case .fp32(let layer): layer.apply(input, rows: rows, into: output, threads: threads)
            case .int8(let layer): layer.apply(input, rows: rows, into: output)
            case .int16(let layer): layer.apply(input, rows: rows, into: output)
            case .bf16(let layer): layer.apply(input, rows: rows, into: output)
            }
        }
    }

    let qkv: Linear
    let attentionOut: Linear
    let intermediate: Linear
    let output: Linear

    init(_ layer: BertWeights.Layer, config c: BertConfig, precision: Precision) {
        let h = c.hiddenSize, inter = c.intermediateSize
        let projections = [layer.query, layer.key, layer.value].map { ($0.weight.pointer, $0.bias.pointer) }
        qkv = Linear(stacking: projections, out: h, in: h, precision: precision)
        attentionOut = Linear(weight: layer.attentionOutWeight.pointer, bias: layer.attentionOutBias.pointer,
                              out: h, in: h, precision: precision)
        intermediate = Linear(weight: layer.intermediateWeight.pointer, bias: layer.intermediateBias.pointer,
                              out: inter, in: h, precision: precision)
        output = Linear(weight: layer.outputWeight.pointer, bias: layer.outputBias.pointer,
                        out: h, in: inter, precision: precision)
    }
}
