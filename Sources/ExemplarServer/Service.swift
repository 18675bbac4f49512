import ExemplarJSON
import ExemplarEncoder
import ExemplarIndex
import Foundation

/// The request handler behind the daemon: routing, auth, error mapping and metrics around
/// the route handlers (`Service+*.swift`). Immutable after start; safe on any thread.
final class Service: Sendable {
    let configuration: ServerConfiguration
    let worker: EmbeddingWorker
    let modelName: String
    /// The served model's identity with its default settings (hashed once, at start).
    let identity: ModelIdentity
    /// Indexes by name, in the order given.
    let indexes: [(name: String, index: OnlineIndex)]
    let metrics: Metrics
    /// Demonstration selectors reused across requests with the same index state and options.
    let demoCache = DemoCache()
    private let expectedAuthorization: [UInt8]?

    init(configuration: ServerConfiguration, encoder: SentenceEncoder, identity: ModelIdentity,
         indexes: [(name: String, index: OnlineIndex)], metrics: Metrics) {
        self.configuration = configuration
        self.identity = identity
        self.metrics = metrics
        self.indexes = indexes
        modelName = encoder.folder.lastPathComponent
        worker = EmbeddingWorker(encoder: encoder, maxBatch: configuration.maxBatch, batchWait: configuration.batchWait, metrics: metrics)
        expectedAuthorization = configuration.token.map { Array("Bearer \($0)".utf8) }
    }

    /// Answers one request; never throws, whatever the input.
    func handle(_ request: HTTPRequest) -> HTTPResponse {
        let start = DispatchTime.now().uptimeNanoseconds
        var pattern = Route(path: request.path)?.pattern ?? "unmatched"
        let response: HTTPResponse
        do {
            if request.bodyTooLarge { throw ServerError.bodyTooLarge(limit: configuration.maxBody) }
            let route = try Route.match(method: request.method, path: request.path)
            pattern = route.pattern
            if !route.isPublic { try authorize(request) }
            response = try dispatch(route, request)
        } catch {
            response = errorResponse(error)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        // Methods are client-chosen strings: only known ones become metric labels.
        let method = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].contains(request.method) ? request.method : "other"
        metrics.recordRequest(route: pattern, method: method, status: response.status, seconds: seconds)
        if configuration.accessLog {
            let line = "\(Date().formatted(.iso8601)) \(method) \(request.path) \(response.status) \(String(format: "%.2f", seconds * 1000)) ms\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
        return response
    }

    private func dispatch(_ route: Route, _ request: HTTPRequest) throws -> HTTPResponse {
        switch route {
        case .health: return health()
        case .metrics:
            let sizes = indexes.map { entry in
                let s = entry.index.snapshot
                return (name: entry.name, examples: s.count, bytes: s.index.sizeOnDisk)
            }
            return .text(metrics.render(indexes: sizes), contentType: "text/plain; version=0.0.4; charset=utf-8")
        case .openAIEmbeddings: return try openAIEmbeddings(try JSONReader(bytes: request.body))
        case .teiEmbed: return try teiEmbed(try JSONReader(bytes: request.body))
        case .openAIModels:
            return .json(.object([("object", .string("list")), ("data", .array([.object([
                ("id", .string(modelName)), ("object", .string("model")), ("created", .int(0)), ("owned_by", .string("exemplar")),
            ])]))]))
        case .listIndexes: return .json(.object([("object", .string("list")), ("data", .array(indexes.map { describe($0.name, $0.index) }))]))
        case .describeIndex(let name): return .json(describe(name, try index(name)))
        case .search(let name): return try search(try index(name), name: name, try JSONReader(bytes: request.body))
        case .demonstrations(let name): return try demonstrations(try index(name), name: name, try JSONReader(bytes: request.body))
        case .addExamples(let name): return try addExamples(try index(name), name: name, try JSONReader(bytes: request.body))
        case .example(let name, let id):
            let index = try index(name)
            guard let n = Int(id), n >= 0 else { throw ServerError.unknownExample(index: name, id: id) }
            return request.method == "DELETE" ? try deleteExample(index, name: name, id: n) : try getExample(index, name: name, id: n)
        }
    }

    /// The loaded index `name`, or 404.
    func index(_ name: String) throws -> OnlineIndex {
        guard let entry = indexes.first(where: { $0.name == name }) else { throw ServerError.unknownIndex(name: name, loaded: indexes.map(\.name)) }
        return entry.index
    }

    /// Checks the bearer token in constant time (for a given token length).
    private func authorize(_ request: HTTPRequest) throws {
        guard let expected = expectedAuthorization else { return }
        let given = Array((request.headers["authorization"] ?? "").utf8)
        var diff = UInt8(truncatingIfNeeded: given.count ^ expected.count)
        for i in 0..<expected.count {
            diff |= expected[i] ^ (i < given.count ? given[i] : 0)
        }
        guard diff == 0 else { throw ServerError.unauthorized }
    }

    /// `GET /health`: liveness and readiness.
    private func health() -> HTTPResponse {
        .json(.object([
            ("status", .string("ok")),
            ("model", .object([("name", .string(modelName)), ("loaded", .bool(true)), ("dimension", .int(worker.encoder.dimension)),
                               ("max_seq_length", .int(worker.maxLength))])),
            ("indexes", .object(indexes.map { ($0.name, .object([("open", .bool(true)), ("examples", .int($0.index.snapshot.count))])) })),
        ]))
    }
}
