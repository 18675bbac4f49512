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

    init(config: BertConfig, weights: BertWeights) {
        self.config = config
        self.weights = weights
    }

    /// Hidden states of the last layer for `batch`, packed: row `offsets[s] + t` is token `t`
    /// of sequence `s`; `offsets` has one more entry than `batch` (the total).
    /// Every id must be below `config.vocabSize` and every sequence no longer than
    /// `config.maxSequenceLength` (the tokenizer guarantees both). Position ids restart with
    /// each sequence (`BertConfig.positions(of:)`).
    public func forward(_ batch: [[Int32]]) -> (hidden: [Float], offsets: [Int]) {
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
        var scores = [Float](repeating: 0, count: longest * longest)
        let scale = 1 / Float(d).squareRoot()
        let w = weights
        let bias = w.relativeAttentionBias.map {
            RelativePositionBias(table: $0.pointer, heads: heads, longest: longest)
        }

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
                let qkv = qkvb.baseAddress!, ctx = ctxb.baseAddress!, proj = projb.baseAddress!
                let mid = interb.baseAddress!, sc = scoreb.baseAddress!
                for layer in w.layers {
                    // Q, K and V side by side: row t of qkv is [q_t | k_t | v_t].
                    for (i, projection) in [layer.query, layer.key, layer.value].enumerated() {
                        BLAS.linear(x, rows: rows, weight: projection.weight.pointer, bias: projection.bias.pointer,
                                    outFeatures: h, inFeatures: h, into: qkv + i * h, outputStride: 3 * h)
                    }
                    for s in 0..<batch.count {
                        let start = offsets[s], n = batch[s].count
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
                    BLAS.linear(ctx, rows: rows, weight: layer.attentionOutWeight.pointer, bias: layer.attentionOutBias.pointer,
                                outFeatures: h, inFeatures: h, into: proj)
                    Elementwise.addLayerNorm(x, residual: proj, rows: rows, width: h,
                                             gamma: layer.attentionNormWeight.pointer, beta: layer.attentionNormBias.pointer,
                                             eps: config.layerNormEps)
                    BLAS.linear(x, rows: rows, weight: layer.intermediateWeight.pointer, bias: layer.intermediateBias.pointer,
                                outFeatures: inter, inFeatures: h, into: mid)
                    Elementwise.gelu(mid, count: rows * inter)
                    BLAS.linear(mid, rows: rows, weight: layer.outputWeight.pointer, bias: layer.outputBias.pointer,
                                outFeatures: h, inFeatures: inter, into: proj)
                    Elementwise.addLayerNorm(x, residual: proj, rows: rows, width: h,
                                             gamma: layer.outputNormWeight.pointer, beta: layer.outputNormBias.pointer,
                                             eps: config.layerNormEps)
                }
            }}}}}
        }
        return (x, offsets)
    }
}
