/// The tensors of a BERT-family encoder, checked against its config.
///
/// Query, key and value projections are fused into one `[3H, H]` matrix per layer so that
/// one GEMM computes all three. BERT, RoBERTa and XLM-RoBERTa share BERT's tensor names;
/// MPNet's are read by `init(mpnet:config:prefix:)`.
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
    /// [T, H]; MPNet has none.
    let tokenTypeEmbeddings: FloatTensor?
    /// MPNet's relative attention bias, [buckets, heads], shared by all layers; nil otherwise.
    let relativeAttentionBias: FloatTensor?
    let embeddingNormWeight: FloatTensor
    let embeddingNormBias: FloatTensor
    let layers: [Layer]

    init(file: SafeTensorsFile, config c: BertConfig) throws(EncoderError) {
        // Checkpoints name tensors with or without the base model's prefix ("bert.", "roberta.", ...).
        let prefix = c.architecture.weightPrefixes.first {
            file.tensors[$0 + "embeddings.word_embeddings.weight"] != nil
        } ?? ""
        if c.architecture == .mpnet {
            self = try BertWeights(mpnet: file, config: c, prefix: prefix)
            return
        }
        let t = TensorReader(file: file, prefix: prefix, hiddenSize: c.hiddenSize)
        let h = c.hiddenSize
        wordEmbeddings = try t("embeddings.word_embeddings.weight", [c.vocabSize, h])
        positionEmbeddings = try t("embeddings.position_embeddings.weight", [c.maxPositionEmbeddings, h])
        tokenTypeEmbeddings = try t("embeddings.token_type_embeddings.weight", [c.typeVocabSize, h])
        relativeAttentionBias = nil
        (embeddingNormWeight, embeddingNormBias) = try t.norm("embeddings.LayerNorm")
        var layers: [Layer] = []
        for i in 0..<c.numHiddenLayers {
            let p = "encoder.layer.\(i)."
            let q = try t(p + "attention.self.query.weight", [h, h])
            let k = try t(p + "attention.self.key.weight", [h, h])
            let v = try t(p + "attention.self.value.weight", [h, h])
            let qb = try t(p + "attention.self.query.bias", [h])
            let kb = try t(p + "attention.self.key.bias", [h])
            let vb = try t(p + "attention.self.value.bias", [h])
            let (anw, anb) = try t.norm(p + "attention.output.LayerNorm")
            let (onw, onb) = try t.norm(p + "output.LayerNorm")
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

    init(wordEmbeddings: FloatTensor, positionEmbeddings: FloatTensor, tokenTypeEmbeddings: FloatTensor?,
         relativeAttentionBias: FloatTensor?, embeddingNorm: (FloatTensor, FloatTensor), layers: [Layer]) {
        self.wordEmbeddings = wordEmbeddings
        self.positionEmbeddings = positionEmbeddings
        self.tokenTypeEmbeddings = tokenTypeEmbeddings
        self.relativeAttentionBias = relativeAttentionBias
        (embeddingNormWeight, embeddingNormBias) = embeddingNorm
        self.layers = layers
    }
}

/// Reads float tensors by name under a checkpoint prefix.
struct TensorReader {
    let file: SafeTensorsFile
    let prefix: String
    let hiddenSize: Int

    func callAsFunction(_ name: String, _ shape: [Int]) throws(EncoderError) -> FloatTensor {
        try file.floats(prefix + name, shape: shape)
    }

    /// A LayerNorm's parameters: "weight"/"bias", or "gamma"/"beta" in older checkpoints.
    func norm(_ name: String) throws(EncoderError) -> (FloatTensor, FloatTensor) {
        if file.tensors[prefix + name + ".gamma"] != nil {
            return (try self(name + ".gamma", [hiddenSize]), try self(name + ".beta", [hiddenSize]))
        }
        return (try self(name + ".weight", [hiddenSize]), try self(name + ".bias", [hiddenSize]))
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
