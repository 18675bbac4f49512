import ExemplarCore
import ExemplarEncoder
import ExemplarJSON

/// Text Embeddings Inference's `POST /tokenize`, `POST /decode` and `GET /info`.
extension Service {
    /// Each input's tokens as the model sees them: `{id, text, special, start, stop}` (TEI's
    /// `SimpleToken`). `text` is the token's vocabulary string; `start` and `stop` (character
    /// offsets in TEI) are null: the tokenizer keeps no offsets.
    func tokenize(_ body: JSONReader) throws -> HTTPResponse {
        try RequestBody.tokenize.check(body)
        let texts = try inputTexts(body, "inputs")
        guard texts.count <= configuration.maxClientBatch else {
            throw ServerError.batchTooLarge(field: "inputs", count: texts.count, limit: configuration.maxClientBatch)
        }
        let special = try body.bool("add_special_tokens") ?? true
        let encoder = worker.encoder
        let settings = try encoder.settings(for: EmbeddingOptions(promptName: try body.string("prompt_name"), prompt: try body.string("prompt")))
        let specialIDs = encoder.tokenizer.specialIDs
        let lists: [JSONValue] = texts.map { text in
            let input = settings.apply(to: text)
            let ids = special ? encoder.tokenizer.encode(input) : encoder.tokenizer.tokenIDs(input)
            return .array(ids.map { id in
                .object([("id", .int(Int(id))), ("text", .string(encoder.tokenizer.token(for: id) ?? "")),
                         ("special", .bool(specialIDs.contains(id))), ("start", .null), ("stop", .null)])
            })
        }
        return .json(.array(lists))
    }

    /// Text for token ids: one list (`[1, 2]`) or several (`[[1, 2], [3]]`); always a list of strings.
    func decode(_ body: JSONReader) throws -> HTTPResponse {
        try RequestBody.decode.check(body)
        guard let value = body.field("ids") else { throw body.error("ids", "is required: an array of token ids, or an array of such arrays") }
        guard case .array(let items) = value else { throw body.error("ids", "must be an array of token ids, or an array of such arrays") }
        let nested = items.first?.arrayValue != nil
        let lists: [(path: String, items: [JSONValue])] = nested
            ? try items.enumerated().map { i, item in
                guard case .array(let inner) = item else { throw body.error("ids[\(i)]", "must be an array of token ids (every item, as the first)") }
                return ("ids[\(i)]", inner)
            }
            : [("ids", items)]
        guard lists.count <= configuration.maxClientBatch else {
            throw ServerError.batchTooLarge(field: "ids", count: lists.count, limit: configuration.maxClientBatch)
        }
        let skip = try body.bool("skip_special_tokens") ?? true
        let tokenizer = worker.encoder.tokenizer
        let largest = Int(tokenizer.largestID)
        let texts: [JSONValue] = try lists.map { path, items in
            let ids: [Int32] = try items.enumerated().map { j, item in
                guard case .number(let d) = item, d == d.rounded(), d >= 0, d <= Double(largest) else {
                    throw JSONError.field(path: "\(path)[\(j)]", reason: "must be a token id in 0...\(largest)")
                }
                return Int32(d)
            }
            return .string(tokenizer.decode(ids, skipSpecialTokens: skip))
        }
        return .json(.array(texts))
    }

    /// The model and the limits, as TEI's `/info` has them.
    func info() -> HTTPResponse {
        .json(.object([
            ("model_id", .string(modelName)), ("model_sha", .string(identity.weightsSHA256)), ("model_dtype", .string("float32")),
            ("served_model_name", .string(modelName)),
            ("model_type", .object([("embedding", .object([("pooling", .string(identity.pooling))]))])),
            ("max_concurrent_requests", .int(configuration.connectionLimit)), ("max_input_length", .int(worker.maxLength)),
            ("max_batch_tokens", .int(configuration.maxBatch * worker.maxLength)), ("max_batch_requests", .null),
            ("max_client_batch_size", .int(configuration.maxClientBatch)), ("auto_truncate", .bool(true)),
            ("tokenization_workers", .int(configuration.connectionLimit)), ("version", .string(ExemplarVersion.current)),
            ("sha", .null), ("docker_label", .null),
        ]))
    }
}
