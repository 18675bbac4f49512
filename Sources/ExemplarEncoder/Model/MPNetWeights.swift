extension BertWeights {
    /// MPNet's tensors under its own names: `encoder.layer.N.attention.attn.{q,k,v,o}`,
    /// `attention.LayerNorm`, `intermediate.dense`, `output.dense`, `output.LayerNorm`, no
    /// token-type embeddings, and one `encoder.relative_attention_bias` for all layers.
    init(mpnet file: SafeTensorsFile, config c: BertConfig, prefix: String) throws(EncoderError) {
        let t = TensorReader(file: file, prefix: prefix, hiddenSize: c.hiddenSize)
        let h = c.hiddenSize
        var layers: [Layer] = []
        for i in 0..<c.numHiddenLayers {
            let p = "encoder.layer.\(i)."
            let a = p + "attention.attn."
            let (anw, anb) = try t.norm(p + "attention.LayerNorm")
            let (onw, onb) = try t.norm(p + "output.LayerNorm")
            layers.append(Layer(
                query: (try t(a + "q.weight", [h, h]), try t(a + "q.bias", [h])),
                key: (try t(a + "k.weight", [h, h]), try t(a + "k.bias", [h])),
                value: (try t(a + "v.weight", [h, h]), try t(a + "v.bias", [h])),
                attentionOutWeight: try t(a + "o.weight", [h, h]),
                attentionOutBias: try t(a + "o.bias", [h]),
                attentionNormWeight: anw, attentionNormBias: anb,
                intermediateWeight: try t(p + "intermediate.dense.weight", [c.intermediateSize, h]),
                intermediateBias: try t(p + "intermediate.dense.bias", [c.intermediateSize]),
                outputWeight: try t(p + "output.dense.weight", [h, c.intermediateSize]),
                outputBias: try t(p + "output.dense.bias", [h]),
                outputNormWeight: onw, outputNormBias: onb))
        }
        self.init(
            wordEmbeddings: try t("embeddings.word_embeddings.weight", [c.vocabSize, h]),
            positionEmbeddings: try t("embeddings.position_embeddings.weight", [c.maxPositionEmbeddings, h]),
            tokenTypeEmbeddings: nil,
            relativeAttentionBias: try t("encoder.relative_attention_bias.weight",
                                         [c.relativeAttentionBuckets, c.numAttentionHeads]),
            embeddingNorm: try t.norm("embeddings.LayerNorm"),
            layers: layers)
    }
}
