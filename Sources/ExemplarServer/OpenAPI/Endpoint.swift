import ExemplarDemos
import ExemplarJSON
import ExemplarIndex

/// One operation of the service (a method on a route pattern) with its request and responses:
/// the table `Route` takes its methods from, the handlers their known fields from, and the
/// OpenAPI document (`OpenAPIDocument`) is written from.
struct Endpoint: Sendable {
    let method: String
    /// The route's `pattern` (`/v1/indexes/{name}/search`).
    let path: String
    let summary: String
    let tag: String
    /// The JSON body, when the operation takes one.
    var request: RequestBody?
    /// The success status and what it returns.
    var status = 200
    var response: JSONValue
    var contentType = "application/json"

    /// The methods `pattern` answers, in table order.
    static func methods(_ pattern: String) -> [String] { all.filter { $0.path == pattern }.map(\.method) }

    static let all: [Endpoint] = [
        Endpoint(method: "GET", path: "/health", summary: "Liveness and readiness: the model and the indexes.", tag: "service", response: Schema.health),
        Endpoint(method: "GET", path: "/", summary: "As GET /health (TEI's route).", tag: "service", response: Schema.health),
        Endpoint(method: "POST", path: "/", summary: "As POST /embed (TEI's route for an embedding model).", tag: "tei",
                 request: RequestBody.teiEmbed, response: Schema.teiEmbeddings),
        Endpoint(method: "GET", path: "/metrics", summary: "Prometheus metrics.", tag: "service", response: Schema.string, contentType: "text/plain"),
        Endpoint(method: "GET", path: "/openapi.json", summary: "This document (OpenAPI 3.1).", tag: "service", response: Schema.object([])),
        Endpoint(method: "GET", path: "/docs", summary: "The routes as a web page.", tag: "service", response: Schema.string, contentType: "text/html"),
        Endpoint(method: "POST", path: "/v1/embeddings", summary: "Embeddings in OpenAI's shape.", tag: "openai",
                 request: RequestBody.openAIEmbeddings, response: Schema.openAIEmbeddings),
        Endpoint(method: "GET", path: "/v1/models", summary: "The served model, as OpenAI lists models.", tag: "openai",
                 response: Schema.list(Schema.model)),
        Endpoint(method: "GET", path: "/v1/models/{model}", summary: "The served model by its name (404 for another).", tag: "openai",
                 response: Schema.model),
        Endpoint(method: "POST", path: "/embed", summary: "Embeddings in Text Embeddings Inference's shape.", tag: "tei",
                 request: RequestBody.teiEmbed, response: Schema.teiEmbeddings),
        Endpoint(method: "POST", path: "/invocations", summary: "As POST /embed (TEI's and SageMaker's route).", tag: "tei",
                 request: RequestBody.teiEmbed, response: Schema.teiEmbeddings),
        Endpoint(method: "POST", path: "/tokenize", summary: "The model's tokens for each input (TEI's shape).", tag: "tei",
                 request: RequestBody.tokenize, response: Schema.tokens),
        Endpoint(method: "POST", path: "/decode", summary: "Text for token ids (TEI's shape).", tag: "tei",
                 request: RequestBody.decode, response: Schema.array(Schema.string)),
        Endpoint(method: "GET", path: "/info", summary: "The model and the server's limits (TEI's shape).", tag: "tei", response: Schema.info),
        Endpoint(method: "GET", path: "/v1/indexes", summary: "The served indexes.", tag: "indexes", response: Schema.list(Schema.index)),
        Endpoint(method: "GET", path: "/v1/indexes/{name}", summary: "One index: counts, labels, model.", tag: "indexes", response: Schema.index),
        Endpoint(method: "POST", path: "/v1/indexes/{name}/search", summary: "Nearest examples for texts or vectors (dense, bm25, hybrid).",
                 tag: "indexes", request: RequestBody.search, response: Schema.object([])),
        Endpoint(method: "POST", path: "/v1/indexes/{name}/demonstrations", summary: "Demonstrations selected for queries (a DemoRequest).",
                 tag: "indexes", request: RequestBody.demonstrations, response: Schema.demonstrations),
        Endpoint(method: "POST", path: "/v1/indexes/{name}/examples", summary: "Adds examples to the index (embedded with its document prompt).",
                 tag: "indexes", request: RequestBody.addExamples, status: 201, response: Schema.added),
        Endpoint(method: "GET", path: "/v1/indexes/{name}/examples/{id}", summary: "One example of the index.", tag: "indexes",
                 response: Schema.example),
        Endpoint(method: "DELETE", path: "/v1/indexes/{name}/examples/{id}", summary: "Deletes one example (its id is not reused).",
                 tag: "indexes", response: Schema.deleted),
    ]
}

/// A JSON request body: its fields with their schemas, the required ones, and whether other
/// fields are refused (`strict`, naming the field) or ignored (TEI's routes, as TEI does).
struct RequestBody: Sendable {
    var fields: [(String, JSONValue)]
    var required: [String] = []
    var strict = true
    var names: [String] { fields.map(\.0) }

    /// Checks the body's field names: a strict body refuses unknown ones, naming them.
    func check(_ body: JSONReader) throws(JSONError) {
        if strict { try body.only(names) }
    }

    var schema: JSONValue { Schema.object(fields, required: required, additional: !strict) }

    static let embeddingOptions: [(String, JSONValue)] = [
        ("prompt_name", Schema.string("A prompt of the model's config_sentence_transformers.json.")),
        ("prompt", Schema.string("A prompt's text, put before every input (\"\" for none).")),
        ("dimensions", Schema.integer(min: 1, "Keep the first N components (Matryoshka), then normalise.")),
    ]
    static let texts = Schema.oneOf([Schema.string, Schema.array(Schema.string, minItems: 1)])

    static let openAIEmbeddings = RequestBody(fields: [
        ("input", texts), ("model", Schema.string), ("encoding_format", Schema.enumeration(["float", "base64"])),
        ("user", Schema.string),
    ] + embeddingOptions, required: ["input"])

    static let teiEmbed = RequestBody(fields: [
        ("inputs", texts), ("normalize", Schema.boolean), ("truncate", Schema.boolean),
        ("truncation_direction", Schema.enumeration(["right", "Right"])),
    ] + embeddingOptions, required: ["inputs"], strict: false)

    static let tokenize = RequestBody(fields: [
        ("inputs", texts), ("add_special_tokens", Schema.boolean), ("prompt_name", Schema.string), ("prompt", Schema.string),
    ], required: ["inputs"], strict: false)

    static let decode = RequestBody(fields: [
        ("ids", Schema.oneOf([Schema.array(Schema.integer(min: 0)), Schema.array(Schema.array(Schema.integer(min: 0)), minItems: 1)])),
        ("skip_special_tokens", Schema.boolean),
    ], required: ["ids"], strict: false)

    static let search = RequestBody(fields: [
        ("text", Schema.string), ("texts", Schema.array(Schema.string, minItems: 1)),
        ("vector", Schema.array(Schema.number)), ("vectors", Schema.array(Schema.array(Schema.number), minItems: 1)),
        ("k", Schema.integer(min: 1, max: 10_000)), ("per_class", Schema.boolean), ("label", Schema.string), ("split", Schema.string),
        ("exclude_ids", Schema.array(Schema.integer(min: 0))), ("mode", Schema.enumeration(SearchMode.allCases.map(\.rawValue))),
        ("bm25_weight", Schema.number(min: 0, max: 1)),
        ("exact", Schema.boolean), ("nprobe", Schema.integer(min: 1, max: 1_000_000)), ("ef_search", Schema.integer(min: 1, max: 1_000_000)),
    ])

    static let demoQuery = Schema.object([("text", Schema.string), ("text_b", Schema.string), ("id", Schema.integer(min: 0))])

    /// The query forms, then every `DemoRequest.Parameter` (a parameter added there appears here).
    static let demonstrations = RequestBody(fields: [
        ("queries", Schema.array(demoQuery, minItems: 1)), ("query", demoQuery), ("text", Schema.string), ("text_b", Schema.string),
        ("id", Schema.integer(min: 0)),
    ] + DemoRequest.Parameter.allCases.map { ($0.json, Schema.demoParameter($0)) })

    static let exampleFields: [(String, JSONValue)] = [
        ("text", Schema.string), ("text_b", Schema.string), ("label", Schema.string), ("split", Schema.string),
    ]
    static let addExamples = RequestBody(fields: exampleFields + [
        ("examples", Schema.array(Schema.object(exampleFields, required: ["text", "label"]), minItems: 1)),
    ])
}

/// JSON Schema (2020-12, as OpenAPI 3.1 has it) values for the document.
enum Schema {
    static let string = JSONValue.object([("type", .string("string"))])
    static let boolean = JSONValue.object([("type", .string("boolean"))])
    static let number = JSONValue.object([("type", .string("number"))])
    static let anything = JSONValue.object([])

    static func string(_ description: String) -> JSONValue { .object([("type", .string("string")), ("description", .string(description))]) }
    static func integer(min: Int? = nil, max: Int? = nil, _ description: String? = nil) -> JSONValue {
        .object(dropping: [("type", .string("integer")), ("minimum", min.map { .int($0) }), ("maximum", max.map { .int($0) }),
                           ("description", description.map { .string($0) })])
    }
    static func number(min: Double, max: Double) -> JSONValue {
        .object([("type", .string("number")), ("minimum", .number(min)), ("maximum", .number(max))])
    }
    static func enumeration(_ values: [String]) -> JSONValue { .object([("type", .string("string")), ("enum", .strings(values))]) }
    static func array(_ items: JSONValue, minItems: Int? = nil) -> JSONValue {
        .object(dropping: [("type", .string("array")), ("items", items), ("minItems", minItems.map { .int($0) })])
    }
    static func oneOf(_ schemas: [JSONValue]) -> JSONValue { .object([("oneOf", .array(schemas))]) }
    static func nullable(_ type: String) -> JSONValue { .object([("type", .strings([type, "null"]))]) }
    static func object(_ properties: [(String, JSONValue)], required: [String] = [], additional: Bool = true) -> JSONValue {
        .object(dropping: [("type", .string("object")), ("properties", .object(properties)),
                           ("required", required.isEmpty ? nil : .strings(required)),
                           ("additionalProperties", additional ? nil : .bool(false))])
    }
    static func list(_ item: JSONValue) -> JSONValue {
        object([("object", enumeration(["list"])), ("data", array(item))], required: ["object", "data"])
    }

    /// `{"error": {"message", "type", "field", "code"}}`, every error's shape.
    static let error = object([("error", object([("message", string), ("type", string), ("field", nullable("string")), ("code", integer())],
                                               required: ["message", "type", "field", "code"]))], required: ["error"])
    static let health = object([("status", string), ("model", object([])), ("indexes", object([]))], required: ["status", "model", "indexes"])
    static let openAIEmbeddings = object([
        ("object", enumeration(["list"])),
        ("data", array(object([("object", enumeration(["embedding"])), ("embedding", oneOf([array(number), string])), ("index", integer(min: 0))],
                              required: ["object", "embedding", "index"]))),
        ("model", string), ("usage", object([("prompt_tokens", integer(min: 0)), ("total_tokens", integer(min: 0))])),
    ], required: ["object", "data", "model", "usage"])
    static let teiEmbeddings = array(array(number))
    static let model = object([("id", string), ("object", enumeration(["model"])), ("created", integer()), ("owned_by", string)],
                              required: ["id", "object", "created", "owned_by"])
    static let tokens = array(array(object([("id", integer(min: 0)), ("text", string), ("special", boolean),
                                            ("start", nullable("integer")), ("stop", nullable("integer"))],
                                           required: ["id", "text", "special", "start", "stop"])))
    static let info = object([
        ("model_id", string), ("model_sha", nullable("string")), ("model_dtype", string), ("served_model_name", string),
        ("model_type", object([("embedding", object([("pooling", string)]))])),
        ("max_concurrent_requests", integer(min: 0)), ("max_input_length", integer(min: 0)), ("max_batch_tokens", integer(min: 0)),
        ("max_batch_requests", nullable("integer")), ("max_client_batch_size", integer(min: 1)), ("auto_truncate", boolean),
        ("tokenization_workers", integer(min: 0)), ("version", string), ("sha", nullable("string")), ("docker_label", nullable("string")),
    ], required: ["model_id", "model_type", "max_input_length", "max_client_batch_size", "version"])
    static let index = object([("object", enumeration(["index"])), ("name", string), ("examples", integer(min: 0)), ("labels", array(string))],
                              required: ["object", "name", "examples", "labels"])
    static let demonstrations = object([("index", string), ("policy", string), ("seed", integer()), ("support", string),
                                        ("results", array(object([("query", object([])), ("samples", array(anything))])))],
                                       required: ["index", "policy", "seed", "support", "results"])
    static let added = object([("index", string), ("ids", array(integer(min: 0))), ("examples", integer(min: 0))],
                              required: ["index", "ids", "examples"])
    static let example = object([("id", integer(min: 0)), ("label", string), ("line", integer()), ("split", string), ("text", string),
                                 ("text_b", string)], required: ["id", "label", "line", "split", "text"])
    static let deleted = object([("index", string), ("id", integer(min: 0)), ("deleted", boolean), ("examples", integer(min: 0))],
                                required: ["index", "id", "deleted", "examples"])

    /// A demonstration parameter's type (a parameter not listed here is described as any value).
    static func demoParameter(_ parameter: DemoRequest.Parameter) -> JSONValue {
        switch parameter.json {
        case "policy": enumeration(DemoRequest.Policy.allCases.map(\.rawValue))
        case "order": enumeration(DemoRequest.Order.allCases.map(\.rawValue))
        case "special_tokens": enumeration(DemoRequest.Tokens.allCases.map(\.rawValue))
        case "placement": enumeration(InContextPlacement.allCases.map(\.rawValue))
        case "dpp_mode": enumeration(TopKDPP.Mode.allCases.map(\.rawValue))
        case "context_order": enumeration(ContextOrder.allCases.map(\.rawValue))
        case "filter_rate", "lambda", "scale_factor", "max_similarity", "bm25_weight": number
        case "num_sample", "k", "count", "seed", "first_sent_limit", "other_sent_limit", "candidate_num", "max_context_tokens": integer()
        case "support", "template": string
        case "per_class": boolean
        case "label_words": oneOf([string, .object([("type", .string("object")), ("additionalProperties", string)])])
        default: anything
        }
    }
}
