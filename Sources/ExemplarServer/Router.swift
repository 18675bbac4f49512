import ExemplarJSON
/// The service's routes: a path and method to a `Route`, or a 404/405. The methods each route
/// answers come from `Endpoint.all`, the table the OpenAPI document is written from.
enum Route: Sendable, Equatable {
    /// `GET /` answers as `/health` does, `POST /` embeds as `/embed` (TEI's routes).
    case root
    case health
    case metrics
    case openAPI
    case docs
    case openAIEmbeddings
    case openAIModels
    case openAIModel(String)
    case teiEmbed
    /// `POST /invocations`: TEI's (and SageMaker's) name for embed.
    case invocations
    case tokenize
    case decode
    case info
    case listIndexes
    case describeIndex(String)
    case search(String)
    case demonstrations(String)
    case addExamples(String)
    /// The id as written in the path (checked by the handler, after the token).
    case example(String, id: String)

    /// The route's pattern: its OpenAPI path, and its metrics label (bounded cardinality: no index names or ids).
    var pattern: String {
        switch self {
        case .root: "/"
        case .health: "/health"
        case .metrics: "/metrics"
        case .openAPI: "/openapi.json"
        case .docs: "/docs"
        case .openAIEmbeddings: "/v1/embeddings"
        case .openAIModels: "/v1/models"
        case .openAIModel: "/v1/models/{model}"
        case .teiEmbed: "/embed"
        case .invocations: "/invocations"
        case .tokenize: "/tokenize"
        case .decode: "/decode"
        case .info: "/info"
        case .listIndexes: "/v1/indexes"
        case .describeIndex: "/v1/indexes/{name}"
        case .search: "/v1/indexes/{name}/search"
        case .demonstrations: "/v1/indexes/{name}/demonstrations"
        case .addExamples: "/v1/indexes/{name}/examples"
        case .example: "/v1/indexes/{name}/examples/{id}"
        }
    }

    /// The methods the route answers (from `Endpoint.all`).
    var methods: [String] { Endpoint.methods(pattern) }

    /// Whether `method` on this route may be called without a token (health checks, the API's description).
    func isPublic(_ method: String) -> Bool {
        switch self {
        case .health, .openAPI, .docs: true
        case .root: method == "GET" || method == "HEAD"
        default: false
        }
    }

    /// One route of each kind (for the test that holds the route table and `Endpoint.all` together).
    static let samples: [Route] = [
        .root, .health, .metrics, .openAPI, .docs, .openAIEmbeddings, .openAIModels, .openAIModel("m"), .teiEmbed, .invocations,
        .tokenize, .decode, .info, .listIndexes, .describeIndex("i"), .search("i"), .demonstrations("i"), .addExamples("i"),
        .example("i", id: "0"),
    ]

    /// The route for `path` as sent (without query string, percent-escapes not yet decoded), or nil.
    init?(path: String) {
        var raw = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard raw.first == "" else { return nil }
        raw.removeFirst()
        if raw == [""] { self = .root; return }
        if raw.count > 1, raw.last == "" { raw.removeLast() }  // a trailing slash
        // Names are decoded; an id stays as written (`%31` is not an id).
        var parts: [String] = []
        for segment in raw {
            guard let decoded = Self.percentDecoded(segment) else { return nil }
            parts.append(decoded)
        }
        switch parts {
        case ["health"]: self = .health
        case ["metrics"]: self = .metrics
        case ["openapi.json"]: self = .openAPI
        case ["docs"]: self = .docs
        case ["v1", "embeddings"]: self = .openAIEmbeddings
        case ["v1", "models"]: self = .openAIModels
        case ["embed"]: self = .teiEmbed
        case ["invocations"]: self = .invocations
        case ["tokenize"]: self = .tokenize
        case ["decode"]: self = .decode
        case ["info"]: self = .info
        case ["v1", "indexes"]: self = .listIndexes
        case let p where p.count == 3 && p[0] == "v1" && p[1] == "models" && !p[2].isEmpty: self = .openAIModel(p[2])
        default:
            guard parts.count >= 3, parts[0] == "v1", parts[1] == "indexes", !parts[2].isEmpty else { return nil }
            let name = parts[2]
            switch Array(parts.dropFirst(3)) {
            case []: self = .describeIndex(name)
            case ["search"]: self = .search(name)
            case ["demonstrations"]: self = .demonstrations(name)
            case ["examples"]: self = .addExamples(name)
            case let rest where rest.count == 2 && rest[0] == "examples": self = .example(name, id: raw[4])
            default: return nil
            }
        }
    }

    /// The route for a request, or the 404 / 405 error.
    static func match(method: String, path: String) throws -> Route {
        guard let route = Route(path: path) else { throw ServerError.notFound(path: path) }
        let allowed = route.methods + (route.methods.contains("GET") ? ["HEAD"] : [])
        guard allowed.contains(method) else { throw ServerError.methodNotAllowed(method: method, allowed: route.methods) }
        return route
    }

    /// An example id as the path must write it: decimal digits, no sign, no leading zero (400
    /// otherwise); nil for one too large to be an id (no such example).
    static func exampleID(_ raw: String) throws -> Int? {
        let digits = raw.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard digits, !raw.isEmpty, raw == "0" || !raw.hasPrefix("0") else {
            throw ServerError.badRequest("example id \"\(raw.prefix(40))\" must be written as a decimal integer (no sign, leading zeros or escapes)")
        }
        return Int(raw)
    }

    /// `segment` with its `%HH` escapes decoded; nil when an escape or the UTF-8 is malformed.
    static func percentDecoded(_ segment: String) -> String? {
        guard segment.contains("%") else { return segment }
        var bytes: [UInt8] = []
        var it = Array(segment.utf8)[...]
        while let b = it.popFirst() {
            guard b == UInt8(ascii: "%") else { bytes.append(b); continue }
            guard it.count >= 2, let hi = hex(it.popFirst()!), let lo = hex(it.popFirst()!) else { return nil }
            bytes.append(hi << 4 | lo)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
