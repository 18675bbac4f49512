/// The tensors of a BERT encoder, checked against its config.
///
/// Query, key and value projections are fused into one `[3H, H]` matrix per layer so that
/// one GEMM computes all three.
struct BertWeights: Sendable {
    struct Layer: Sendable {
        let qkvWeight: FloatTensor        // [3H, H]
        let qkvBias: FloatTensor          // [3H]
        let attentionOutWeight: FloatTensor  // [H, H]
        let attentionOutBias: FloatTensor
        let attentionNormWeight: FloatTensor
        let attentionNormBias: FloatTensor
        let intermediateWeight: FloatTensor  // [I, H]
        let intermediateBias: FloatTensor
        let outputWeight: FloatTensor     // [H, I]
        let outputBias: FloatTensor
        let outputNormWeight: FloatTensor
        let outputNormBias: FloatTensor
    }

    let wordEmbeddings: FloatTensor       // [V, H]
    let positionEmbeddings: FloatTensor   // [P, H]
    let tokenTypeEmbeddings: FloatTensor  // [T, H]
    let embeddingNormWeight: FloatTensor
    let embeddingNormBias: FloatTensor
    let layers: [Layer]

    init(file: SafeTensorsFile, config c: BertConfig) throws(EncoderError) {
        // Checkpoints name tensors with or without a "bert." prefix.
        let prefix = file.tensors["embeddings.word_embeddings.weight"] == nil
            && file.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        func t(_ name: String, _ shape: [Int]) throws(EncoderError) -> FloatTensor {
            try file.floats(prefix + name, shape: shape)
        }
        // LayerNorm parameters are "weight"/"bias", or "gamma"/"beta" in older checkpoints.
        func norm(_ name: String) throws(EncoderError) -> (FloatTensor, FloatTensor) {
            if file.tensors[prefix + name + ".gamma"] != nil {
                return (try t(name + ".gamma", [c.hiddenSize]), try t(name + ".beta", [c.hiddenSize]))
            }
            return (try t(name + ".weight", [c.hiddenSize]), try t(name + ".bias", [c.hiddenSize]))
        }
        let h = c.hiddenSize
        wordEmbeddings = try t("embeddings.word_embeddings.weight", [c.vocabSize, h])
        positionEmbeddings = try t("embeddings.position_embeddings.weight", [c.maxPositionEmbeddings, h])
        tokenTypeEmbeddings = try t("embeddings.token_type_embeddings.weight", [c.typeVocabSize, h])
        (embeddingNormWeight, embeddingNormBias) = try norm("embeddings.LayerNorm")
        var layers: [Layer] = []
        for i in 0..<c.numHiddenLayers {
            let p = "encoder.layer.\(i)."
            let q = try t(p + "attention.self.query.weight", [h, h])
            let k = try t(p + "attention.self.key.weight", [h, h])
            let v = try t(p + "attention.self.value.weight", [h, h])
            let qb = try t(p + "attention.self.query.bias", [h])
            let kb = try t(p + "attention.self.key.bias", [h])
            let vb = try t(p + "attention.self.value.bias", [h])
            let (anw, anb) = try norm(p + "attention.output.LayerNorm")
            let (onw, onb) = try norm(p + "output.LayerNorm")
            layers.append(Layer(
                qkvWeight: FloatTensor(concatenating: [q, k, v], shape: [3 * h, h]),
                qkvBias: FloatTensor(concatenating: [qb, kb, vb], shape: [3 * h]),
                attentionOutWeight: try t(p + "attention.output.dense.weight", [h, h]),
                attentionOutBias: try t(p + "attention.output.dense.bias", [h]),
                attentionNormWeight: anw, attentionNormBias: anb,
                intermediateWeight: try t(p + "intermediate.dense.weight", [c.intermediateSize, h]),
                intermediateBias: try t(p + "intermediate.dense.bias", [c.intermediateSize]),
                outputWeight: try t(p + "output.dense.weight", [h, c.intermediateSize]),
                outputBias: try t(p + "output.dense.bias", [h]),
                outputNormWeight: onw, outputNormBias: onb))
        }
        self.layers = layers
    }
}

extension FloatTensor {
    /// A new tensor holding `parts` one after another.
    init(concatenating parts: [FloatTensor], shape: [Int]) {
        let total = parts.reduce(0) { $0 + $1.count }
        precondition(total == shape.reduce(1, *))
        let storage = FloatStorage(count: total)
        var offset = 0
        for part in parts {
            (storage.base + offset).update(from: part.pointer, count: part.count)
            offset += part.count
        }
        self.init(shape: shape, pointer: UnsafePointer(storage.base), owner: storage)
    }
}
