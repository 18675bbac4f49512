import ExemplarEncoder
import ExemplarServer
import Foundation

extension Option {
    static let host = Option("--host", value: "ADDR", help: "IP address to listen on (default 127.0.0.1, loopback only; 0.0.0.0 for all).")
    static let port = Option("--port", value: "N", help: "TCP port (default 8080; 0 picks a free one and prints it).")
    static let index = Option("--index", value: "PATH", help: "A built index folder to serve; repeat or comma-separate for several.")
    static let tokenFile = Option("--token-file", value: "FILE", help: "Require this bearer token (first line of FILE) on every route but /health.")
    static let maxBatch = Option("--max-batch", value: "N", help: "Most texts per inference batch (default 64); a larger request runs as several.")
    static let maxClientBatch = Option("--max-client-batch", value: "N",
                                       help: "Most inputs in one request: texts, queries, examples, vectors (default 2048, as OpenAI; 413 above).")
    static let maxConnections = Option("--max-connections", value: "N",
                                       help: "Open connections past which requests get 503 (default 1000).")
    static let maxConnectionsPerAddress = Option("--max-connections-per-address", value: "N",
                                                 help: "Most connections from one client address (default 128; 0: no limit).")
    static let maxBody = Option("--max-body", value: "BYTES", help: "Largest request body (default 2097152); larger ones get 413.")
    static let timeout = Option("--timeout", value: "SECONDS",
                                help: "Close connections idle this long (default 30); headers must arrive within 10 s, a body within 60 s.")
    static let reloadInterval = Option("--reload-interval", value: "SECONDS",
                                       help: "Check served folders for a new build this often and serve it (default 2; 0: never).")
    static let accessLog = Option("--access-log", help: "Log each request (time, method, path, status, ms) to standard error.")
}

/// `exemplar serve`: parses the options and runs `ExemplarServer.Server` until SIGINT/SIGTERM.
enum ServeCommand {
    static let spec = CommandSpec(
        name: "serve",
        usage: "serve [--host 127.0.0.1] [--port 8080] [--index PATH ...] [--model PATH] [--token-file FILE] [--max-client-batch N] [--max-body BYTES]",
        abstract: "Serve embeddings, index search and demonstrations over HTTP (JSON).",
        discussion: """
            Routes: POST /v1/embeddings, GET /v1/models[/ID] (OpenAI); POST /embed, / and /invocations,
            POST /tokenize, POST /decode, GET /info (Text Embeddings Inference); GET /v1/indexes[/NAME],
            POST /v1/indexes/NAME/search, POST /v1/indexes/NAME/demonstrations,
            POST /v1/indexes/NAME/examples, GET|DELETE /v1/indexes/NAME/examples/ID,
            GET /health, GET /metrics (Prometheus), GET /openapi.json (OpenAPI 3.1) and GET /docs.
            TEI's routes ignore fields they do not know, as TEI does; the others refuse them,
            naming the field. An index is named by its folder's last component. With
            --token-file, every route but /health, GET /, /openapi.json and /docs needs
            'Authorization: Bearer TOKEN' (the file's first line). SIGINT or SIGTERM stops the
            server after in-flight requests finish.

            EXAMPLES:
              exemplar serve --index indexes/sst-2
              exemplar serve --index indexes/sst-2 --tokenizer models/roberta-large   # "tokenizer": "roberta-large"
              curl -s localhost:8080/v1/embeddings -d '{"input": "a gripping thriller"}'
            """,
        options: [.host, .port, .index, .model,
                  .tokenizer.with(help: "A target LM's tokenizer (model folder or tokenizer.json) the demonstrations route may name in \"tokenizer\", by its folder's name; repeat for several. Requests cannot name paths."),
                  .tokenFile, .maxBatch, .maxClientBatch, .maxBody, .timeout, .maxConnections,
                  .maxConnectionsPerAddress, .reloadInterval, .accessLog])

    static func run(_ args: ParsedArguments) throws {
        guard args.positionals.isEmpty else {
            throw UsageError(command: spec.name, message: "unexpected argument \(args.positionals[0]); give indexes with --index PATH")
        }
        var configuration = ServerConfiguration(modelFolder: try ModelLocator.locate(explicit: args.string(.model)))
        configuration.host = args.string(.host) ?? "127.0.0.1"
        configuration.port = UInt16(try args.int(.port, range: 0...65535) ?? 8080)
        configuration.indexFolders = args.all(.index).flatMap { $0.split(separator: ",") }
            .map { URL(fileURLWithPath: String($0), isDirectory: true) }
        configuration.tokenizerPaths = args.all(.tokenizer).map { URL(fileURLWithPath: $0) }
        if let path = args.string(.tokenFile) {
            guard let data = FileManager.default.contents(atPath: path),
                  let token = String(data: data, encoding: .utf8)?.split(whereSeparator: \.isNewline).first.map(String.init),
                  !token.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw UsageError(command: spec.name, message: "--token-file \(path): cannot read a token from its first line")
            }
            configuration.token = token.trimmingCharacters(in: .whitespaces)
        }
        configuration.maxBatch = try args.int(.maxBatch, range: 1...4096) ?? 64
        configuration.maxClientBatch = try args.int(.maxClientBatch, range: 1...100_000) ?? 2048
        configuration.connectionLimit = try args.int(.maxConnections, range: 1...100_000) ?? 1000
        configuration.perAddressLimit = try args.int(.maxConnectionsPerAddress, range: 0...100_000) ?? 128
        configuration.maxBody = try args.int(.maxBody, range: 1...(1 << 30)) ?? (2 << 20)
        configuration.connectionTimeout = try args.int(.timeout, range: 1...86_400) ?? 30
        configuration.accessLog = args.flag(.accessLog)
        if let raw = args.string(.reloadInterval) {
            guard let seconds = Double(raw), seconds >= 0, seconds <= 86_400 else {
                throw UsageError(command: spec.name, message: "--reload-interval must be a number of seconds in 0...86400, got \"\(raw)\"")
            }
            configuration.reloadInterval = seconds
        }
        let server = try Server.start(configuration)
        let indexes = server.indexNames.isEmpty ? "no indexes" : "indexes: " + server.indexNames.joined(separator: ", ")
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        server.runUntilSignalled {
            FileHandle.standardError.write(Data("exemplar: serving on http://\(host):\(server.port) (\(indexes))\n".utf8))
        }
        FileHandle.standardError.write(Data("exemplar: stopped\n".utf8))
    }
}
