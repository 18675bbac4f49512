import ExemplarKernels

/// A BERT-family encoder (BERT, RoBERTa, XLM-RoBERTa, MPNet; `config.architecture`): token
/// ids in, one hidden state per token out.
///
/// Sequences of a batch are packed end to end with no padding: the dense layers see every
/// token as one row, and attention runs per sequence, so each token attends exactly to the
/// tokens of its own sequence. That is what BERT's attention mask does for padded batches,
/// without computing the padding.
public struct BertModel: Sendable {
    public let config: BertConfig
    let weights: BertWeights
    /// The dense layers' arithmetic (`Precision.available`: what this CPU runs of what was asked).
    public let precision: Precision
    /// Each layer's dense weights packed at load: int8, int16 or bf16, or float32 where the CPU has AVX-512
    /// (nil: float32 through OpenBLAS, reading the mapped tensors).
    let packed: [PackedLayer]?

    init(config: BertConfig, weights: BertWeights, precision: Precision = .fp32) {
        self.config = config
        self.weights = weights
        self.precision = precision.available
        let chosen = self.precision
        packed = chosen != .fp32 || EncoderKernels.packedLinearIsFaster
            ? weights.layers.map { PackedLayer($0, config: config, precision: chosen) } : nil
    }

    /// Hidden states of the last layer for `batch`, packed: row `offsets[s] + t` is token `t`
    /// of sequence `s`; `offsets` has one more entry than `batch` (the total).
    /// Every id must be below `config.vocabSize` and every sequence no longer than
    /// `config.maxSequenceLength` (the tokenizer guarantees both). Position ids restart with
    /// each sequence (`BertConfig.positions(of:)`).
    /// `threads`: cores each dense layer may split its output columns across (packed layers only).
    public func forward(_ batch: [[Int32]], threads: Int = 1) -> (hidden: [Float], offsets: [Int]) {
        let h = config.hiddenSize, inter = config.intermediateSize
        let heads = config.numAttentionHeads, d = config.headSize
        var offsets = [0]
        for seq in batch { offsets.append(offsets.last! + seq.count) }
        let rows = offsets.last!
        let longest = batch.map(\.count).max() ?? 0
        var x = [Float](repeating: 0, count: rows * h)
        guard rows > 0 else { return (x, offsets) }
        var qkv = [Float](repeating: 0, count: rows * 3 * h)
        var context = [Float](repeating: 0, count: rows * h)
        var projected = [Float](repeating: 0, count: rows * h)
        var intermediate = [Float](repeating: 0, count: rows * inter)
        let fused = EncoderKernels.fusedAttention(headSize: d)
        var scores = [Float](repeating: 0, count: fused ? 1 : longest * longest)
        let scale = 1 / Float(d).squareRoot()
        let w = weights
        let bias = w.relativeAttentionBias.map {
            RelativePositionBias(table: $0.pointer, heads: heads, longest: longest)
        }
        // The fused kernel reads MPNet's bias rows in place: head h's entry for key − query = r
        // is values[h · (2L − 1) + (L − 1) + r].
        let biasStride = max(1, 2 * longest - 1)
        let scratchCount = fused ? EncoderKernels.attentionScratch(count: longest, headSize: d) : 0
        let attentionScratch = UnsafeMutableRawPointer.allocate(byteCount: 4 * max(1, scratchCount), alignment: 64)
            .bindMemory(to: Float.self, capacity: max(1, scratchCount))
        defer { attentionScratch.deallocate() }

        x.withUnsafeMutableBufferPointer { xb in
            let x = xb.baseAddress!
            // Embeddings: word + position (+ token type 0), then LayerNorm.
            for (s, seq) in batch.enumerated() {
                let positions = config.positions(of: seq)
                for (t, id) in seq.enumerated() {
                    let row = x + (offsets[s] + t) * h
                    let word = w.wordEmbeddings.pointer + Int(id) * h
                    let pos = w.positionEmbeddings.pointer + positions[t] * h
                    if let type = w.tokenTypeEmbeddings?.pointer {
                        for i in 0..<h { row[i] = word[i] + pos[i] + type[i] }
                    } else {
                        for i in 0..<h { row[i] = word[i] + pos[i] }
                    }
                }
            }
            Elementwise.addLayerNorm(x, residual: nil, rows: rows, width: h,
                                     gamma: w.embeddingNormWeight.pointer, beta: w.embeddingNormBias.pointer,
                                     eps: config.layerNormEps)
            qkv.withUnsafeMutableBufferPointer { qkvb in
            context.withUnsafeMutableBufferPointer { ctxb in
            projected.withUnsafeMutableBufferPointer { projb in
            intermediate.withUnsafeMutableBufferPointer { interb in
            scores.withUnsafeMutableBufferPointer { scoreb in
            (bias?.values ?? []).withUnsafeBufferPointer { biasb in
                let biasBase = bias == nil ? nil : biasb.baseAddress.map { UnsafePointer($0) + (longest - 1) }
                let qkv = qkvb.baseAddress!, ctx = ctxb.baseAddress!, proj = projb.baseAddress!
                let mid = interb.baseAddress!, sc = scoreb.baseAddress!
                for (index, layer) in w.layers.enumerated() {
                    let fast = packed?[index]
                    // Q, K and V side by side: row t of qkv is [q_t | k_t | v_t].
                    if let fast {
                        fast.qkv.apply(x, rows: rows, into: qkv, threads: threads)
                    } else {
                        for (i, projection) in [layer.query, layer.key, layer.value].enumerated() {
                            BLAS.linear(x, rows: rows, weight: projection.weight.pointer, bias: projection.bias.pointer,
                                        outFeatures: h, inFeatures: h, into: qkv + i * h, outputStride: 3 * h)
                        }
                    }
                    for s in 0..<batch.count {
                        let start = offsets[s], n = batch[s].count
                        if fused {
                            // One call per sequence: scores, MPNet's bias, softmax and context for every head.
                            EncoderKernels.attention(qkv + start * 3 * h, ld: 3 * h, count: n, heads: heads, headSize: d,
                                                     scale: scale, bias: biasBase, biasStride: biasStride,
                                                     into: ctx + start * h, ldc: h, scratch: attentionScratch)
                            continue
                        }
                        for head in 0..<heads {
                            let q = qkv + start * 3 * h + head * d
                            // MPNet adds its relative position bias to the scaled scores.
                            bias?.fill(sc, head: head, count: n)
                            BLAS.gemmABt(m: n, n: n, k: d, alpha: scale, q, lda: 3 * h, q + h, ldb: 3 * h,
                                         beta: bias == nil ? 0 : 1, sc, ldc: n)
                            Elementwise.softmaxRows(sc, rows: n, width: n, stride: n)
                            BLAS.gemmAB(m: n, n: d, k: n, sc, lda: n, q + 2 * h, ldb: 3 * h, ctx + start * h + head * d, ldc: h)
                        }
                    }
                    if let fast {
                        fast.attentionOut.apply(ctx, rows: rows, into: proj, threads: threads)
                    } else {
                        BLAS.linear(ctx, rows: rows, weight: layer.attentionOutWeight.pointer, bias: layer.attentionOutBias.pointer,
                                    outFeatures: h, inFeatures: h, into: proj)
                    }
                    Elementwise.addLayerNorm(x, residual: proj, rows: rows, width: h,
                                             gamma: layer.attentionNormWeight.pointer, beta: layer.attentionNormBias.pointer,
                                             eps: config.layerNormEps)
                    if let fast {
                        fast.intermediate.apply(x, rows: rows, into: mid, threads: threads)
                    } else {
                        BLAS.linear(x, rows: rows, weight: layer.intermediateWeight.pointer, bias: layer.intermediateBias.pointer,
                                    outFeatures: inter, inFeatures: h, into: mid)
                    }
                    Elementwise.gelu(mid, count: rows * inter)
                    if let fast {
                        fast.output.apply(mid, rows: rows, into: proj, threads: threads)
                    } else {
                        BLAS.linear(mid, rows: rows, weight: layer.outputWeight.pointer, bias: layer.outputBias.pointer,
                                    outFeatures: h, inFeatures: inter, into: proj)
                    }
                    Elementwise.addLayerNorm(x, residual: proj, rows: rows, width: h,
                                             gamma: layer.outputNormWeight.pointer, beta: layer.outputNormBias.pointer,
                                             eps: config.layerNormEps)
                }
            }}}}}}
        }
        return (x, offsets)
    }
}
