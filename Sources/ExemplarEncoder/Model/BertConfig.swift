import Foundation

/// The architecture numbers of a BERT-family encoder (BERT, RoBERTa, XLM-RoBERTa, MPNet),
/// read from its `config.json`.
public struct BertConfig: Sendable, Equatable {
    /// `model_type`: which family, hence position ids, tensor names and attention bias.
    public var architecture: EncoderArchitecture = .bert
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var intermediateSize: Int
    public var maxPositionEmbeddings: Int
    public var typeVocabSize: Int
    public var layerNormEps: Float
    /// The padding id positions count from (`pad_token_id`; MPNet's is always 1).
    public var paddingIndex: Int = 0
    /// MPNet's `relative_attention_num_buckets` (rows of its relative attention bias); 0 otherwise.
    public var relativeAttentionBuckets: Int = 0

    public var headSize: Int { hiddenSize / numAttentionHeads }

    /// Reads and checks `config.json`: a `model_type` of `EncoderArchitecture` with absolute
    /// positions and exact GELU.
    public static func load(_ url: URL) throws(EncoderError) -> BertConfig {
        let file = try JSONFile.read(url)
        let path = url.path
        let type = try file.string("model_type") ?? "bert"
        guard let architecture = EncoderArchitecture(rawValue: type) else {
            throw .unsupported(path: path, reason: "model_type \"\(type)\" is not implemented (supported: \(EncoderArchitecture.supportedList))")
        }
        let act = try file.string("hidden_act") ?? "gelu"
        guard act == "gelu" else {
            throw .unsupported(path: path, reason: "hidden_act \"\(act)\"; only \"gelu\" (exact erf form) is implemented")
        }
        if let pos = try file.string("position_embedding_type"), pos != "absolute" {
            throw .unsupported(path: path, reason: "position_embedding_type \"\(pos)\"")
        }
        var config = BertConfig(
            architecture: architecture,
            vocabSize: try file.requireInt("vocab_size"),
            hiddenSize: try file.requireInt("hidden_size"),
            numHiddenLayers: try file.requireInt("num_hidden_layers"),
            numAttentionHeads: try file.requireInt("num_attention_heads"),
            intermediateSize: try file.requireInt("intermediate_size"),
            maxPositionEmbeddings: try file.int("max_position_embeddings") ?? 512,
            typeVocabSize: try file.int("type_vocab_size") ?? 2,
            layerNormEps: Float(try file.double("layer_norm_eps") ?? 1e-12))
        switch architecture {
        case .bert: config.paddingIndex = try file.int("pad_token_id") ?? 0
        case .roberta, .xlmRoberta: config.paddingIndex = try file.int("pad_token_id") ?? 1
        case .mpnet:
            config.paddingIndex = 1  // transformers' MPNetEmbeddings fixes it at 1
            config.relativeAttentionBuckets = try file.int("relative_attention_num_buckets") ?? 32
            // transformers buckets relative positions into 32 whatever the config says, so
            // the bias table needs at least 32 rows.
            guard config.relativeAttentionBuckets >= RelativePositionBias.buckets else {
                throw .unsupported(path: path, reason: "relative_attention_num_buckets \(config.relativeAttentionBuckets); MPNet buckets relative positions into \(RelativePositionBias.buckets), so at least \(RelativePositionBias.buckets) are needed")
            }
        }
        guard config.vocabSize > 0, config.hiddenSize > 0, config.numHiddenLayers > 0,
              config.numAttentionHeads > 0, config.intermediateSize > 0,
              config.maxPositionEmbeddings > 1, config.typeVocabSize > 0,
              config.hiddenSize % config.numAttentionHeads == 0,
              config.paddingIndex >= 0, config.maxSequenceLength > 1 else {
            throw .invalidModelFile(path: path, reason: "sizes must be positive, hidden_size divisible by num_attention_heads and max_position_embeddings above pad_token_id + 2")
        }
        return config
    }
}
