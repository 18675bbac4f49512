import Dispatch
import ExemplarJSON
import ExemplarEncoder
import ExemplarDemos
import ExemplarIndex
import ExemplarLexical
import Foundation

/// The request handler behind the daemon: routing, auth, error mapping and metrics around
/// the route handlers (`Service+*.swift`). Immutable after start; safe on any thread.
final class Service: Sendable {
    let configuration: ServerConfiguration
    let worker: EmbeddingWorker
    /// Left when `prepare`'s background work has finished.
    private let prepared = DispatchGroup()
    let modelName: String
    /// The served model's identity with its default settings (hashed once, at start).
    let identity: ModelIdentity
    /// Indexes by name, in the order given.
    let indexes: [(name: String, index: OnlineIndex)]
    let metrics: Metrics
    /// Demonstration selectors reused across requests with the same index state and options.
    let demoCache = DemoCache()
    /// The target tokenizers requests may name (`serve --tokenizer`), by name.
    let tokenizers: [String: ModelTokenizer]
    private let expectedAuthorization: [UInt8]?
    /// `/openapi.json`'s bytes (the document depends only on the configuration).
    let openAPI: HTTPResponse
    /// Absolute paths the server knows (served folders, the model, the working directory), longest first:
    /// messages name them by what they are, never by where they are on the server.
    private let redactions: [(String, String)]

    init(configuration: ServerConfiguration, encoder: SentenceEncoder, identity: ModelIdentity,
         indexes: [(name: String, index: OnlineIndex)], tokenizers: [String: ModelTokenizer], metrics: Metrics) {
        self.configuration = configuration
        self.tokenizers = tokenizers
        self.identity = identity
        self.metrics = metrics
        self.indexes = indexes
        modelName = encoder.folder.lastPathComponent
        worker = EmbeddingWorker(encoder: encoder, maxBatch: configuration.maxBatch, batchWait: configuration.batchWait, metrics: metrics)
        expectedAuthorization = configuration.token.map { Array("Bearer \($0)".utf8) }
        openAPI = .json(OpenAPIDocument.json(bearer: configuration.token != nil, indexes: indexes.map(\.name), model: modelName))
        var redactions: [(String, String)] = zip(configuration.indexFolders, indexes).map { ($0.standardizedFileURL.path, "index \($1.name)") }
        redactions.append((encoder.folder.standardizedFileURL.path, "model \(encoder.folder.lastPathComponent)"))
        redactions.append((FileManager.default.currentDirectoryPath, "."))
        self.redactions = redactions.filter { $0.0.count > 1 }.sorted { $0.0.count > $1.0.count }
    }

    /// Pays one-time costs in the background, not in the first requests: Punkt's tables (for
    /// the online additions and BM25 searches of served indexes), the encoder's first pass
    /// (weights paged in, scratch grown), run through the inference worker (one batch of one
    /// text in /metrics), then the served indexes' approximate-search lists read into the page
    /// cache (`warmLists`: a 10-million-row index's lists are gigabytes a cold search would
    /// wait for list by list). `exemplar_warm_up_done` in /metrics turns 1 when it has
    /// finished. Call once the server listens; `waitUntilPrepared` before stopping the worker
    /// (a process that exits while the encoder runs on another thread can crash; the lists'
    /// reading is not waited for).
    func prepare() {
        let lexical = !indexes.isEmpty, worker = worker, prepared = prepared, metrics = metrics
        let served = indexes.map(\.index)
        prepared.enter()
        Thread.detachNewThread {
            if lexical { WordTokenizer.prepare() }
            let settings = worker.defaultSettings
            _ = try? worker.embed(worker.tokenize(["warm up"], settings: settings), settings: settings)
            prepared.leave()
            self.warmLists(of: served)
            metrics.recordWarmUpDone()
        }
    }

    /// Reads the approximate-search lists of `served`' current snapshots into the page cache,
    /// up to `ApproximateIndex.warmBudget` bytes in all, and counts them in /metrics. At start (`prepare`) and after a reload swaps in a new build. Only reads pages:
    /// the snapshots held here keep their files mapped until it ends, and stopping the server
    /// need not wait for it.
    func warmLists(of served: [OnlineIndex]) {
        let budget = ApproximateIndex.warmBudget
        let bytes = served.reduce(0) { read, index in
            read + (index.snapshot.index.exact.approximate?.warm(budget: budget - read) ?? 0)
        }
        metrics.recordWarmedLists(bytes: bytes)
    }

    /// Blocks until `prepare`'s work is done (at once when it was never called).
    func waitUntilPrepared() {
        prepared.wait()
    }

    /// Answers one request; never throws, whatever the input.
    func handle(_ request: HTTPRequest) -> HTTPResponse {
        let start = DispatchTime.now().uptimeNanoseconds
        var pattern = Route(path: request.path)?.pattern ?? "unmatched"
        let response: HTTPResponse
        do {
            // The token comes first: without it, no route, method or limit is told apart.
            if !(Route(path: request.path)?.isPublic(request.method) ?? false) { try authorize(request) }
            if request.bodyTooLarge { throw ServerError.bodyTooLarge(limit: configuration.maxBody) }
            let route = try Route.match(method: request.method, path: request.path)
            pattern = route.pattern
            response = try dispatch(route, request)
        } catch {
            response = errorResponse(error, redacting: redactions)
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
        case .root: return request.method == "POST" ? try teiEmbed(try JSONReader(request: request.body)) : health()
        case .openAPI: return openAPI
        case .docs: return .text(OpenAPIDocument.html(), contentType: "text/html; charset=utf-8")
        case .invocations: return try teiEmbed(try JSONReader(request: request.body))
        case .tokenize: return try tokenize(try JSONReader(request: request.body))
        case .decode: return try decode(try JSONReader(request: request.body))
        case .info: return info()
        case .openAIModel(let id):
            guard id == modelName else { throw ServerError.unknownModel(id: id, served: modelName) }
            return .json(modelJSON)
        case .metrics:
            let sizes = indexes.map { entry in
                let s = entry.index.snapshot
                return (name: entry.name, examples: s.count, bytes: s.index.sizeOnDisk)
            }
            return .text(metrics.render(indexes: sizes), contentType: "text/plain; version=0.0.4; charset=utf-8")
        case .openAIEmbeddings: return try openAIEmbeddings(try JSONReader(request: request.body))
        case .teiEmbed: return try teiEmbed(try JSONReader(request: request.body))
        case .openAIModels: return .json(.object([("object", .string("list")), ("data", .array([modelJSON]))]))
        case .listIndexes: return .json(.object([("object", .string("list")), ("data", .array(indexes.map { describe($0.name, $0.index) }))]))
        case .describeIndex(let name): return .json(describe(name, try index(name)))
        case .search(let name): return try search(try index(name), name: name, try JSONReader(request: request.body))
        case .demonstrations(let name): return try demonstrations(try index(name), name: name, try JSONReader(request: request.body))
        case .addExamples(let name): return try addExamples(try index(name), name: name, try JSONReader(request: request.body))
        case .example(let name, let id):
            let index = try index(name)
            guard let n = try Route.exampleID(id) else { throw ServerError.unknownExample(index: name, id: id) }
            return request.method == "DELETE" ? try deleteExample(index, name: name, id: n) : try getExample(index, name: name, id: n)
        }
    }

    /// The served model as OpenAI's `/v1/models` lists one.
    var modelJSON: JSONValue {
        .object([("id", .string(modelName)), ("object", .string("model")), ("created", .int(0)), ("owned_by", .string("exemplar"))])
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
