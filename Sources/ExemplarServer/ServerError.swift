import ExemplarCore
import ExemplarIndex
import ExemplarJSON
import Foundation

/// What a request or the server's start can fail with that is the server's own (routing,
/// auth, limits, start-up); every other module's errors carry their own status through
/// `ExemplarError`, and `errorResponse` turns any of them into the one JSON error shape.
public enum ServerError: ExemplarError {
    /// Missing or wrong bearer token.
    case unauthorized
    /// No such route.
    case notFound(path: String)
    /// No index of that name is loaded.
    case unknownIndex(name: String, loaded: [String])
    /// `/v1/models/{model}` for a model the server does not run.
    case unknownModel(id: String, served: String)
    /// No example with that id in the index.
    case unknownExample(index: String, id: String)
    /// The route exists but not for this method.
    case methodNotAllowed(method: String, allowed: [String])
    /// The body is over `--max-body`.
    case bodyTooLarge(limit: Int)
    /// More inputs in one request than `--max-batch`.
    case batchTooLarge(field: String, count: Int, limit: Int)
    /// An input is longer than the model takes and truncation was not allowed.
    case inputTooLong(field: String, limit: Int)
    /// The daemon could not listen (address in use, not an IP literal, ...).
    case startFailed(host: String, port: Int)
    /// The server is shutting down.
    case shuttingDown
    /// More connections are open than `--max-connections`.
    case overloaded(connections: Int)
    /// The headers took longer than the deadline.
    case requestTimeout(phase: String, seconds: Double)
    /// A malformed request outside any JSON field (conflicting headers, a malformed path).
    case badRequest(String)
    /// The server cannot start as configured (an index built with another model, two indexes of one name, ...).
    case configuration(String)

    public var httpStatus: Int {
        switch self {
        case .unauthorized: 401
        case .notFound, .unknownIndex, .unknownExample, .unknownModel: 404
        case .methodNotAllowed: 405
        case .bodyTooLarge, .batchTooLarge, .inputTooLong: 413
        case .startFailed, .configuration: 500
        case .shuttingDown, .overloaded: 503
        case .requestTimeout: 408
        case .badRequest: 400
        }
    }

    /// A server that cannot start is a usage problem (the port, an index, the model): 2.
    public var exitCode: Int32 {
        switch self {
        case .startFailed, .configuration: 2
        default: 1
        }
    }

    public var field: String? {
        switch self {
        case .batchTooLarge(let field, _, _), .inputTooLong(let field, _): field
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .unauthorized: "missing or invalid bearer token: send 'Authorization: Bearer <token>'"
        case .notFound(let path): "no route \(path); see GET /health and the README's Service section"
        case let .unknownIndex(name, loaded):
            "no index named \"\(name)\"; loaded: \(loaded.isEmpty ? "none" : loaded.joined(separator: ", "))"
        case let .unknownModel(id, served): "no model \"\(id)\"; this server runs \(served)"
        case let .unknownExample(index, id): "index \"\(index)\" has no example with id \(id)"
        case let .methodNotAllowed(method, allowed): "method \(method) is not allowed here; allowed: \(allowed.joined(separator: ", "))"
        case .bodyTooLarge(let limit): "request body is larger than \(limit) bytes (--max-body)"
        case let .batchTooLarge(field, count, limit): "field \"\(field)\" has \(count) inputs; at most \(limit) per request (--max-client-batch)"
        case let .inputTooLong(field, limit): "field \"\(field)\": an input reaches the model's limit of \(limit) tokens; shorten it or set truncate to true"
        case let .startFailed(host, port): "cannot listen on \(host):\(port) (is the port in use, and is the host an IP address?)"
        case .shuttingDown: "the server is shutting down"
        case .overloaded(let n): "the server has more than \(n) connections open (--max-connections); retry shortly"
        case let .requestTimeout(phase, seconds): "the request's \(phase) took longer than \(Int(seconds)) s; send them at once"
        case .badRequest(let message): message
        case .configuration(let message): message
        }
    }
}

/// Any error as the JSON error response `{"error": {"message", "type", "field", "code"}}`
/// (OpenAI's shape), with its status from `ExemplarError.httpStatus`; an error of no known
/// kind is a 500 that says no more than that. `redacting` replaces known absolute paths in the
/// message (`/srv/indexes/sst-2` → `index sst-2`); in a 5xx (a storage or internal fault) any
/// other absolute path is cut to its last component (`…/data.mdb`), and the full message goes
/// to standard error. A 4xx names routes (`/v1/...`), so only the known paths are replaced there.
func errorResponse(_ error: any Error, redacting redactions: [(String, String)] = []) -> HTTPResponse {
    guard let error = error as? any ExemplarError else {
        return errorResponse(ServerError.configuration("internal error (\(type(of: error)))"))
    }
    let status = error.httpStatus
    var message = error.description
    for (path, name) in redactions { message = message.replacingOccurrences(of: path, with: name) }
    if status >= 500 && status != 503 {
        FileHandle.standardError.write(Data("exemplar: error \(status): \(error.description)\n".utf8))
        message = redactingPaths(message)
    }
    var headers: [(String, String)] = []
    if case .methodNotAllowed(_, let allowed)? = error as? ServerError { headers.append(("Allow", allowed.joined(separator: ", "))) }
    if case .unauthorized? = error as? ServerError { headers.append(("WWW-Authenticate", "Bearer")) }
    switch error as? ServerError {
    case .bodyTooLarge?, .requestTimeout?, .badRequest?: headers.append(("Connection", "close"))
    case .overloaded?: headers += [("Connection", "close"), ("Retry-After", "1")]
    default: break
    }
    return .json(.object([("error", .object([
        ("message", .string(message)), ("type", .string(errorKind(status))), ("field", .optional(error.field)),
        ("code", .int(status)),
    ]))]), status: status, headers: headers)
}

/// `text` with every absolute path (a `/` at the start or after a space, quote or parenthesis,
/// with at least two components) cut to `…/` and its last component.
func redactingPaths(_ text: String) -> String {
    let stops: Set<Character> = [" ", "\"", "'", "(", ")", ",", ";", "\n", "\t"]
    var out = ""
    var rest = text[...]
    var previous: Character = " "
    while let c = rest.first {
        if c == "/", stops.contains(previous) {
            let end = rest.firstIndex(where: { stops.contains($0) }) ?? rest.endIndex
            let parts = rest[rest.startIndex..<end].split(separator: "/")
            if parts.count >= 2, let last = parts.last {
                // A trailing ':' or '.' belongs to the sentence, not to the file's name.
                var name = String(last), tail = ""
                while let t = name.last, t == ":" || t == "." {
                    tail = String(t) + tail
                    name.removeLast()
                }
                out += "…/" + name + tail
                rest = rest[end...]
                previous = "x"
                continue
            }
        }
        out.append(c)
        previous = c
        rest = rest.dropFirst()
    }
    return out
}

/// A short machine-readable kind for a status, in the error object's `type`.
private func errorKind(_ status: Int) -> String {
    switch status {
    case 401: "authentication_error"
    case 404: "not_found"
    case 405: "method_not_allowed"
    case 408: "request_timeout"
    case 413: "payload_too_large"
    case 503: "unavailable"
    case 400..<500: "invalid_request_error"
    default: "server_error"
    }
}
