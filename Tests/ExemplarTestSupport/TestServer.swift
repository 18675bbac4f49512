import ExemplarEncoder
import ExemplarIndex
import ExemplarServer
import ExemplarStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real server on a free loopback port, with the tiny committed model and its own SST-2
/// index (LM-BFF's 16-42 fixture: 4 train, 4 dev, 3 test) built in a temporary folder.
public final class TestServer: Sendable {
    /// The tiny committed model the server and its index use.
    public static let model = Fixtures.url("tiny-bert-max")
    public static let encoder = try! SentenceEncoder(folder: model)

    public let server: Server
    /// The temporary folder holding the index; `close()` removes it.
    public let root: URL
    public let indexFolder: URL
    public let token: String?
    /// The index's contents searched in memory directly, to compare with the server's answers.
    public let exact: ExactIndex
    public var base: String { "http://127.0.0.1:\(server.port)" }

    private static func build(_ source: IndexSource, into folder: URL, with builder: IndexBuilder) throws {
        let store = try IndexFolder.openStore(folder, create: true)
        _ = try builder.build(records: source.records, labels: source.labels, task: "SST-2", into: store)
    }

    /// Builds the index and starts the server; `configure` adjusts the configuration.
    public init(token: String? = nil, configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        root = try TemporaryFolder.create("serve")
        indexFolder = root.appendingPathComponent("sst2")
        let definition = IndexDefinition(data: Fixtures.url("data/k-shot/SST-2/16-42").path, task: .sst2)
        let source = try IndexSource.load(definition, base: root)
        var builder = IndexBuilder(encoder: Self.encoder)
        builder.threads = 1
        // The build's store is closed before the server opens its own (LMDB must not have one
        // file open twice in a process).
        try Self.build(source, into: indexFolder, with: builder)
        var configuration = ServerConfiguration(modelFolder: Self.model)
        configuration.port = 0
        configuration.indexFolders = [indexFolder]
        configuration.token = token
        configuration.maxBatch = 16
        configuration.maxBody = 64 * 1024
        configure(&configuration)
        self.token = token
        let vectors = Self.encoder.encode(source.records.map(IndexBuilder.embeddingText), threads: 1)
        exact = ExactIndex(records: source.records, vectors: vectors.values, dimension: vectors.dimension, labelOrder: source.labels)
        server = try Server.start(configuration)
    }

    /// Stops the server and removes its files.
    public func close() {
        server.stop()
        TemporaryFolder.remove(root)
    }

    /// A response: status, headers (lower-cased names), body.
    public struct Reply: Sendable {
        public let status: Int
        public let headers: [String: String]
        public let body: Data
        public var text: String { String(decoding: body, as: UTF8.self) }
        /// The body as JSON.
        public var json: Any { (try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])) ?? NSNull() }
        public var object: [String: Any] { json as? [String: Any] ?? [:] }
        /// The error object's field, for 4xx replies.
        public var errorField: String? { (object["error"] as? [String: Any])?["field"] as? String }
    }

    /// Sends one request over real HTTP (URLSession).
    public func send(_ method: String, _ path: String, body: String? = nil, bytes: Data? = nil, token: String? = nil,
              useToken: Bool = true) async throws -> Reply {
        var request = URLRequest(url: URL(string: base + path)!)
        request.cachePolicy = .reloadIgnoringLocalCacheData  // URLCache.shared persists on disk across runs
        request.httpMethod = method
        if let data = bytes ?? body.map({ Data($0.utf8) }) {
            request.httpBody = data
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let t = token ?? (useToken ? self.token : nil) { request.setValue("Bearer \(t)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
        return Reply(status: http.statusCode, headers: headers, body: data)
    }

    /// POSTs a JSON value.
    public func post(_ path: String, _ json: Any) async throws -> Reply {
        try await send("POST", path, bytes: try JSONSerialization.data(withJSONObject: json))
    }
}

/// Runs `body` with a fresh server, always closing it.
public func withServer<T>(token: String? = nil, configure: (inout ServerConfiguration) -> Void = { _ in },
                   _ body: (TestServer) async throws -> T) async throws -> T {
    let server = try TestServer(token: token, configure: configure)
    defer { server.close() }
    return try await body(server)
}
