import ExemplarEncoder
import ExemplarIndex
import ExemplarJSON
import ExemplarStore
import Foundation
import ExemplarKernels

/// `POST /v1/embeddings` (OpenAI's shape) and `POST /embed` (Text Embeddings Inference's).
extension Service {
    /// Embeds `texts` through the batching worker with `settings` (prompt, dimension; default
    /// the model's); `field` names them in errors. Without `truncate`, a text that reaches the
    /// model's length limit is refused (413).
    func embed(_ texts: [String], field: String, truncate: Bool = true, settings: EmbeddingSettings? = nil) throws -> (vectors: [[Float]], tokens: Int) {
        guard texts.count <= configuration.maxClientBatch else {
            throw ServerError.batchTooLarge(field: field, count: texts.count, limit: configuration.maxClientBatch)
        }
        let settings = settings ?? worker.defaultSettings
        let ids = worker.tokenize(texts, settings: settings)
        if !truncate, ids.contains(where: { $0.count >= worker.maxLength }) {
            worker.cancel()
            throw ServerError.inputTooLong(field: field, limit: worker.maxLength)
        }
        return (try worker.embed(ids, settings: settings), ids.reduce(0) { $0 + $1.count })
    }

    /// How queries against an index are embedded: its query prompt, its dimension.
    func querySettings(_ manifest: Manifest, name: String) throws -> EmbeddingSettings {
        try IndexEmbedding.querySettings(worker.encoder, identity: identity, manifest: manifest, path: name)
    }

    /// The `prompt_name`, `prompt` and `dimensions` fields as `EmbeddingOptions`, checked against the model (400 naming the field).
    func embeddingSettings(_ body: JSONReader) throws -> EmbeddingSettings {
        let options = EmbeddingOptions(promptName: try body.string("prompt_name"), prompt: try body.string("prompt"),
                                       dimensions: try body.int("dimensions", range: Int.min...Int.max))
        return try worker.encoder.settings(for: options)
    }

    /// The texts of `field` (a string or an array of strings, none empty), with the hint
    /// langchain users need when they send token ids.
    func inputTexts(_ body: JSONReader, _ field: String) throws -> [String] {
        let texts: [String]?
        do {
            texts = try body.strings(field)
        } catch {
            guard case .field(let path, _) = error, path.hasPrefix(field + "["),
                  case .array(let items)? = body.field(field), items.contains(where: { $0.numberValue != nil || $0.arrayValue != nil }) else { throw error }
            throw JSONError.field(path: path, reason: "must be a string: token ids are not accepted, send the text (langchain's OpenAIEmbeddings sends ids unless check_embedding_ctx_length=False)")
        }
        guard let texts else { throw body.error(field, "is required: a string or an array of strings") }
        guard !texts.isEmpty else { throw body.error(field, "must not be an empty array") }
        if let i = texts.firstIndex(of: "") {
            throw JSONError.field(path: body.field(field)?.arrayValue == nil ? field : "\(field)[\(i)]", reason: "must not be an empty string")
        }
        return texts
    }

    func openAIEmbeddings(_ body: JSONReader) throws -> HTTPResponse {
        try RequestBody.openAIEmbeddings.check(body)
        let texts = try inputTexts(body, "input")
        let format = try body.string("encoding_format") ?? "float"
        guard format == "float" || format == "base64" else { throw JSONError.field(path: "encoding_format", reason: "must be \"float\" or \"base64\"") }
        _ = try body.string("model")  // any name is accepted: the server runs one model, named in the response
        let (vectors, tokens) = try embed(texts, field: "input", settings: embeddingSettings(body))
        let data: [JSONValue] = vectors.enumerated().map { i, v in
            .object([("object", .string("embedding")),
                     ("embedding", format == "base64" ? .string(Self.base64(v)) : .floats(v)),
                     ("index", .int(i))])
        }
        return .json(.object([
            ("object", .string("list")), ("data", .array(data)), ("model", .string(modelName)),
            ("usage", .object([("prompt_tokens", .int(tokens)), ("total_tokens", .int(tokens))])),
        ]))
    }

    func teiEmbed(_ body: JSONReader) throws -> HTTPResponse {
        try RequestBody.teiEmbed.check(body)  // TEI's routes ignore unknown fields (langchain sends "options")
        let texts = try inputTexts(body, "inputs")
        let normalize = try body.bool("normalize") ?? true
        let truncate = try body.bool("truncate") ?? true
        if let direction = try body.string("truncation_direction"), direction.lowercased() != "right" {
            throw JSONError.field(path: "truncation_direction", reason: "must be \"right\" (the only direction supported)")
        }
        var (vectors, _) = try embed(texts, field: "inputs", truncate: truncate, settings: embeddingSettings(body))
        if normalize {
            for i in vectors.indices { Vectors.normalize(&vectors[i]) }
        }
        return .json(.array(vectors.map { .floats($0) }))
    }

    /// Little-endian float32 bytes, base64 (OpenAI's `encoding_format: base64`).
    static func base64(_ v: [Float]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(v.count * 4)
        for x in v { withUnsafeBytes(of: x.bitPattern.littleEndian) { bytes += $0 } }
        return Data(bytes).base64EncodedString()
    }
}
