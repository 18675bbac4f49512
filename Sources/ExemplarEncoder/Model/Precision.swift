import ExemplarKernels

/// The arithmetic of the encoder's dense layers. `fp32` is the default and the parity
/// reference; `int8` is dynamic quantisation (`Int8Linear`: per-channel int8 weights, per-row
/// uint8 activations, int32 sums), faster where the CPU has AVX-512 VNNI, at a small drift
/// (BENCHMARKS.md reports min cosine to fp32 and top-10 agreement). Attention, LayerNorm,
/// GELU and pooling stay float32 in every precision.
public enum Precision: String, Sendable, CaseIterable, Hashable {
    case fp32, int8

    /// What this CPU runs when `self` is asked for: int8 needs AVX-512 VNNI, else fp32 (the
    /// fallback; `int8`'s portable body is exact but slower than fp32 sgemm).
    public var available: Precision {
        self == .int8 && !EncoderKernels.hasVNNI ? .fp32 : self
    }
}

/// One encoder layer's dense layers in a packed form made once at load: float32 packed for
/// `PackedLinear` (where the CPU has AVX-512) or int8 for `Int8Linear`. Q, K and V are stacked
/// into one `[3H, H]` matrix, so the three projections are one GEMM.
struct PackedLayer: Sendable {
    /// A dense layer in either form.
    enum Linear: Sendable {
        case fp32(PackedLinear)
        case int8(Int8Linear)

        init(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, out: Int, in inFeatures: Int, precision: Precision) {
            self = precision == .int8
                ? .int8(Int8Linear(weight: weight, bias: bias, outFeatures: out, inFeatures: inFeatures))
                : .fp32(PackedLinear(weight: weight, bias: bias, outFeatures: out, inFeatures: inFeatures))
        }

        func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>, threads: Int = 1) {
            switch self {
            case .fp32(let layer): layer.apply(input, rows: rows, into: output, threads: threads)
            case .int8(let layer): layer.apply(input, rows: rows, into: output)
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
        qkv = precision == .int8
            ? .int8(Int8Linear(stacking: projections, outFeatures: h, inFeatures: h))
            : .fp32(PackedLinear(stacking: projections, outFeatures: h, inFeatures: h))
        attentionOut = Linear(weight: layer.attentionOutWeight.pointer, bias: layer.attentionOutBias.pointer,
                              out: h, in: h, precision: precision)
        intermediate = Linear(weight: layer.intermediateWeight.pointer, bias: layer.intermediateBias.pointer,
                              out: inter, in: h, precision: precision)
        output = Linear(weight: layer.outputWeight.pointer, bias: layer.outputBias.pointer,
                        out: h, in: inter, precision: precision)
    }
}
