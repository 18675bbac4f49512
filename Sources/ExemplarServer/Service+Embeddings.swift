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
        guard texts.count <= configuration.maxBatch else {
            throw ServerError.batchTooLarge(field: field, count: texts.count, limit: configuration.maxBatch)
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

    func openAIEmbeddings(_ body: JSONReader) throws -> HTTPResponse {
        try body.only(["input", "model", "encoding_format", "dimensions", "user", "prompt_name", "prompt"])
        guard let texts = try body.strings("input") else { throw JSONError.field(path: "input", reason: "is required: a string or an array of strings") }
        guard !texts.isEmpty else { throw JSONError.field(path: "input", reason: "must not be an empty array") }
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
        try body.only(["inputs", "normalize", "truncate", "truncation_direction", "prompt_name", "prompt", "dimensions"])
        guard let texts = try body.strings("inputs") else { throw JSONError.field(path: "inputs", reason: "is required: a string or an array of strings") }
        guard !texts.isEmpty else { throw JSONError.field(path: "inputs", reason: "must not be an empty array") }
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
