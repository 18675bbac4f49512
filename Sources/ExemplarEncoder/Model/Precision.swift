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

/// A layer's dense weights quantised once at load (`--precision int8`): Q, K and V stacked
/// into one `[3H, H]` matrix, so the three projections are one GEMM.
struct QuantizedLayer: Sendable {
    let qkv: Int8Linear
    let attentionOut: Int8Linear
    let intermediate: Int8Linear
    let output: Int8Linear

    init(_ layer: BertWeights.Layer, config c: BertConfig) {
        let h = c.hiddenSize, inter = c.intermediateSize
        qkv = Int8Linear(stacking: [layer.query, layer.key, layer.value].map { ($0.weight.pointer, $0.bias.pointer) },
                         outFeatures: h, inFeatures: h)
        attentionOut = Int8Linear(weight: layer.attentionOutWeight.pointer, bias: layer.attentionOutBias.pointer,
                                  outFeatures: h, inFeatures: h)
        intermediate = Int8Linear(weight: layer.intermediateWeight.pointer, bias: layer.intermediateBias.pointer,
                                  outFeatures: inter, inFeatures: h)
        output = Int8Linear(weight: layer.outputWeight.pointer, bias: layer.outputBias.pointer,
                            outFeatures: h, inFeatures: inter)
    }
}
