import ExemplarJSON
/// The service's routes: a path and method to a `Route`, or a 404/405.
enum Route: Sendable, Equatable {
    case health
    case metrics
    case openAIEmbeddings
    case openAIModels
    case teiEmbed
    case listIndexes
    case describeIndex(String)
    case search(String)
    case demonstrations(String)
    case addExamples(String)
    case example(String, id: String)

    /// The route's pattern, for metrics labels (bounded cardinality: no index names or ids).
    var pattern: String {
        switch self {
        case .health: "/health"
        case .metrics: "/metrics"
        case .openAIEmbeddings: "/v1/embeddings"
        case .openAIModels: "/v1/models"
        case .teiEmbed: "/embed"
        case .listIndexes: "/v1/indexes"
        case .describeIndex: "/v1/indexes/{name}"
        case .search: "/v1/indexes/{name}/search"
        case .demonstrations: "/v1/indexes/{name}/demonstrations"
        case .addExamples: "/v1/indexes/{name}/examples"
        case .example: "/v1/indexes/{name}/examples/{id}"
        }
    }

    /// The methods the route answers.
    var methods: [String] {
        switch self {
        case .health, .metrics, .openAIModels, .listIndexes, .describeIndex: ["GET"]
        case .openAIEmbeddings, .teiEmbed, .search, .demonstrations, .addExamples: ["POST"]
        case .example: ["GET", "DELETE"]
        }
    }

    /// Whether the route may be called without a token.
    var isPublic: Bool { self == .health }

    /// The route for `path` (without query string), or nil.
    init?(path: String) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.first == "" else { return nil }
        parts.removeFirst()
        if parts.count > 1, parts.last == "" { parts.removeLast() }  // a trailing slash
        switch parts {
        case ["health"]: self = .health
        case ["metrics"]: self = .metrics
        case ["v1", "embeddings"]: self = .openAIEmbeddings
        case ["v1", "models"]: self = .openAIModels
        case ["embed"]: self = .teiEmbed
        case ["v1", "indexes"]: self = .listIndexes
        default:
            guard parts.count >= 3, parts[0] == "v1", parts[1] == "indexes", !parts[2].isEmpty else { return nil }
            let name = parts[2]
            switch Array(parts.dropFirst(3)) {
            case []: self = .describeIndex(name)
            case ["search"]: self = .search(name)
            case ["demonstrations"]: self = .demonstrations(name)
            case ["examples"]: self = .addExamples(name)
            case let rest where rest.count == 2 && rest[0] == "examples": self = .example(name, id: rest[1])
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
}
