/// The tensors of a BERT-family encoder, checked against its config.
///
/// Every tensor is a view of the memory-mapped file (no copies: a 12-layer base model starts
/// without touching more than the forward pass reads). BERT, RoBERTa and XLM-RoBERTa share BERT's tensor names;
/// MPNet's are read by `init(mpnet:config:prefix:)`.
struct BertWeights: Sendable {
    struct Layer: Sendable {
        /// Query, key and value projections, `[H, H]` and `[H]` each; their outputs go side by
        /// side into one `[tokens, 3H]` matrix.
        let query: (weight: FloatTensor, bias: FloatTensor)
        let key: (weight: FloatTensor, bias: FloatTensor)
        let value: (weight: FloatTensor, bias: FloatTensor)
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
        layers = try Self.layers(t, c, names: .bert)
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

/// Where one encoder layer's attention tensors are under an architecture's names (the
/// feed-forward and output names are the same in BERT and MPNet checkpoints).
struct LayerTensorNames {
    /// Prefix of the query, key and value projections.
    let projections: String
    let query: String, key: String, value: String
    let attentionOut: String
    let attentionNorm: String

    static let bert = LayerTensorNames(projections: "attention.self.", query: "query", key: "key", value: "value",
                                       attentionOut: "attention.output.dense", attentionNorm: "attention.output.LayerNorm")
    static let mpnet = LayerTensorNames(projections: "attention.attn.", query: "q", key: "k", value: "v",
                                        attentionOut: "attention.attn.o", attentionNorm: "attention.LayerNorm")
}

extension BertWeights {
    /// Every layer's tensors, `encoder.layer.N.` under `names`, checked against the config's shapes.
    static func layers(_ t: TensorReader, _ c: BertConfig, names n: LayerTensorNames) throws(EncoderError) -> [Layer] {
        let h = c.hiddenSize
        var layers: [Layer] = []
        for i in 0..<c.numHiddenLayers {
            let p = "encoder.layer.\(i)."
            let a = p + n.projections
            let (anw, anb) = try t.norm(p + n.attentionNorm)
            let (onw, onb) = try t.norm(p + "output.LayerNorm")
            layers.append(Layer(
                query: (try t(a + n.query + ".weight", [h, h]), try t(a + n.query + ".bias", [h])),
                key: (try t(a + n.key + ".weight", [h, h]), try t(a + n.key + ".bias", [h])),
                value: (try t(a + n.value + ".weight", [h, h]), try t(a + n.value + ".bias", [h])),
                attentionOutWeight: try t(p + n.attentionOut + ".weight", [h, h]),
                attentionOutBias: try t(p + n.attentionOut + ".bias", [h]),
                attentionNormWeight: anw, attentionNormBias: anb,
                intermediateWeight: try t(p + "intermediate.dense.weight", [c.intermediateSize, h]),
                intermediateBias: try t(p + "intermediate.dense.bias", [c.intermediateSize]),
                outputWeight: try t(p + "output.dense.weight", [h, c.intermediateSize]),
                outputBias: try t(p + "output.dense.bias", [h]),
                outputNormWeight: onw, outputNormBias: onb))
        }
        return layers
    }
}
