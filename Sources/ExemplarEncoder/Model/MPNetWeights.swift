extension BertWeights {
    /// MPNet's tensors under its own names: `encoder.layer.N.attention.attn.{q,k,v,o}`,
    /// `attention.LayerNorm`, `intermediate.dense`, `output.dense`, `output.LayerNorm`, no
    /// token-type embeddings, and one `encoder.relative_attention_bias` for all layers.
    init(mpnet file: SafeTensorsFile, config c: BertConfig, prefix: String) throws(EncoderError) {
        let t = TensorReader(file: file, prefix: prefix, hiddenSize: c.hiddenSize)
        let h = c.hiddenSize
        let layers = try Self.layers(t, c, names: .mpnet)
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
