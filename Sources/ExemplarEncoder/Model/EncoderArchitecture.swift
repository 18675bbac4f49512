/// The encoder families a `config.json` `model_type` names, and the few ways they differ.
///
/// All four are post-LayerNorm transformer encoders with exact GELU; they differ in where
/// position ids start, whether a token-type embedding exists, the tensor names and MPNet's
/// relative position bias. `BertModel` runs every one of them.
public enum EncoderArchitecture: String, Sendable, CaseIterable {
    case bert
    case roberta
    case xlmRoberta = "xlm-roberta"
    case mpnet

    /// The `model_type` values `config.json` may carry, as a list for error messages.
    static var supportedList: String { allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") }

    /// Whether position ids count from `padding_idx + 1` (transformers'
    /// `create_position_ids_from_input_ids`) instead of from 0.
    var positionsFromPadding: Bool { self != .bert }

    /// Whether the embeddings have a token-type table (MPNet's do not).
    var hasTokenTypes: Bool { self != .mpnet }

    /// Prefixes checkpoints put before the encoder's tensor names, tried in order
    /// (a bare `…Model` has none; `…ForMaskedLM` and friends add the base model's name).
    var weightPrefixes: [String] {
        switch self {
        case .bert: return ["", "bert."]
        case .roberta, .xlmRoberta: return ["", "roberta.", "xlm-roberta."]
        case .mpnet: return ["", "mpnet."]
        }
    }
}

extension BertConfig {
    /// The first position id of a sequence: 0 for BERT, `padding_idx + 1` for the others.
    var firstPosition: Int { architecture.positionsFromPadding ? paddingIndex + 1 : 0 }

    /// The most tokens one sequence may have: RoBERTa-family positions start at
    /// `padding_idx + 1`, so 514 position embeddings leave 512.
    public var maxSequenceLength: Int { maxPositionEmbeddings - firstPosition }

    /// Position id of each token of `ids`, as transformers computes them: BERT counts from 0;
    /// the RoBERTa family and MPNet count the non-padding tokens from `padding_idx + 1`, and
    /// give a padding id (a literal `<pad>` in the text) the position `padding_idx`.
    func positions(of ids: [Int32]) -> [Int] {
        guard architecture.positionsFromPadding else { return Array(ids.indices) }
        var next = paddingIndex
        let pad = Int32(paddingIndex)
        return ids.map { id in
            if id == pad { return paddingIndex }
            next += 1
            return next
        }
    }
}
