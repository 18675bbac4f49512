import ExemplarDemos
import ExemplarIndex
import ExemplarStore

/// Everything a request or the server's start can fail with; `status` maps each to its HTTP
/// status code, in this one place.
public enum ServerError: Error, CustomStringConvertible, Sendable {
    /// The body is not JSON.
    case malformedJSON(String)
    /// A field is missing, of the wrong type or out of range: `field` is its JSON path.
    case badField(field: String, reason: String)
    /// Missing or wrong bearer token.
    case unauthorized
    /// No such route.
    case notFound(path: String)
    /// No index of that name is loaded.
    case unknownIndex(name: String, loaded: [String])
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
    /// An index could not be opened, written or used with this model.
    case index(IndexError)
    /// Demonstration selection or rendering refused its options.
    case demos(field: String, message: String)
    /// The server is shutting down.
    case shuttingDown
    /// The server cannot start as configured (an index built with another model, two indexes of one name, ...).
    case configuration(String)

    /// The HTTP status code of the error.
    public var status: Int {
        switch self {
        case .malformedJSON, .badField, .demos: 400
        case .unauthorized: 401
        case .notFound, .unknownIndex, .unknownExample: 404
        case .methodNotAllowed: 405
        case .bodyTooLarge, .batchTooLarge, .inputTooLong: 413
        case .startFailed, .index, .configuration: 500
        case .shuttingDown: 503
        }
    }

    /// A short machine-readable kind, in the error object's `type`.
    var kind: String {
        switch self {
        case .malformedJSON, .badField, .demos: "invalid_request_error"
        case .unauthorized: "authentication_error"
        case .notFound, .unknownIndex, .unknownExample: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .bodyTooLarge, .batchTooLarge, .inputTooLong: "payload_too_large"
        case .startFailed, .index, .configuration: "server_error"
        case .shuttingDown: "unavailable"
        }
    }

    /// The JSON field at fault, if one is.
    var field: String? {
        switch self {
        case .badField(let field, _), .batchTooLarge(let field, _, _), .inputTooLong(let field, _), .demos(let field, _): field
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .malformedJSON(let message): "request body is not valid JSON: \(message)"
        case let .badField(field, reason): "field \"\(field)\" \(reason)"
        case .unauthorized: "missing or invalid bearer token: send 'Authorization: Bearer <token>'"
        case .notFound(let path): "no route \(path); see GET /health and the README's Service section"
        case let .unknownIndex(name, loaded):
            "no index named \"\(name)\"; loaded: \(loaded.isEmpty ? "none" : loaded.joined(separator: ", "))"
        case let .unknownExample(index, id): "index \"\(index)\" has no example with id \(id)"
        case let .methodNotAllowed(method, allowed): "method \(method) is not allowed here; allowed: \(allowed.joined(separator: ", "))"
        case .bodyTooLarge(let limit): "request body is larger than \(limit) bytes (--max-body)"
        case let .batchTooLarge(field, count, limit): "field \"\(field)\" has \(count) inputs; at most \(limit) per request (--max-batch)"
        case let .inputTooLong(field, limit): "field \"\(field)\": an input reaches the model's limit of \(limit) tokens; shorten it or set truncate to true"
        case let .startFailed(host, port): "cannot listen on \(host):\(port) (is the port in use, and is the host an IP address?)"
        case .index(let error): error.description
        case let .demos(field, message): "field \"\(field)\": \(message)"
        case .shuttingDown: "the server is shutting down"
        case .configuration(let message): message
        }
    }

    /// The error as a JSON response: `{"error": {"message", "type", "field", "code"}}` (OpenAI's shape).
    var response: HTTPResponse {
        var headers: [(String, String)] = []
        if case .methodNotAllowed(_, let allowed) = self { headers.append(("Allow", allowed.joined(separator: ", "))) }
        if case .unauthorized = self { headers.append(("WWW-Authenticate", "Bearer")) }
        if case .bodyTooLarge = self { headers.append(("Connection", "close")) }
        return .json(.object([("error", .object([
            ("message", .string(description)), ("type", .string(kind)), ("field", .optional(field)), ("code", .int(status)),
        ]))]), status: status, headers: headers)
    }
}
