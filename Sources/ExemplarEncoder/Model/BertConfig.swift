import Foundation

/// The architecture numbers of a BERT model, read from its `config.json`.
public struct BertConfig: Sendable, Equatable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var intermediateSize: Int
    public var maxPositionEmbeddings: Int
    public var typeVocabSize: Int
    public var layerNormEps: Float

    public var headSize: Int { hiddenSize / numAttentionHeads }

    /// Reads and checks `config.json`: a BERT model with absolute positions and exact GELU.
    public static func load(_ url: URL) throws(EncoderError) -> BertConfig {
        let file = try JSONFile.read(url)
        let path = url.path
        let type = try file.string("model_type") ?? "bert"
        guard type == "bert" else {
            throw .unsupported(path: path, reason: "model_type \"\(type)\"; only BERT-architecture models load")
        }
        let act = try file.string("hidden_act") ?? "gelu"
        guard act == "gelu" else {
            throw .unsupported(path: path, reason: "hidden_act \"\(act)\"; only \"gelu\" (exact erf form) is implemented")
        }
        if let pos = try file.string("position_embedding_type"), pos != "absolute" {
            throw .unsupported(path: path, reason: "position_embedding_type \"\(pos)\"")
        }
        let config = BertConfig(
            vocabSize: try file.requireInt("vocab_size"),
            hiddenSize: try file.requireInt("hidden_size"),
            numHiddenLayers: try file.requireInt("num_hidden_layers"),
            numAttentionHeads: try file.requireInt("num_attention_heads"),
            intermediateSize: try file.requireInt("intermediate_size"),
            maxPositionEmbeddings: try file.int("max_position_embeddings") ?? 512,
            typeVocabSize: try file.int("type_vocab_size") ?? 2,
            layerNormEps: Float(try file.double("layer_norm_eps") ?? 1e-12))
        guard config.vocabSize > 0, config.hiddenSize > 0, config.numHiddenLayers > 0,
              config.numAttentionHeads > 0, config.intermediateSize > 0,
              config.maxPositionEmbeddings > 1, config.typeVocabSize > 0,
              config.hiddenSize % config.numAttentionHeads == 0 else {
            throw .invalidModelFile(path: path, reason: "sizes must be positive and hidden_size divisible by num_attention_heads")
        }
        return config
    }
}
