import ExemplarJSON
/// One HTTP request as the router sees it: method, path, query string, the headers it uses, body.
struct HTTPRequest: Sendable {
    var method: String
    /// The path without the query string, e.g. `/v1/indexes/sst-2/search`.
    var path: String
    /// Request headers, names lower-cased.
    var headers: [String: String]
    var body: [UInt8]
    /// The body was over the size limit and was not kept (the handler answers 413).
    var bodyTooLarge = false

    init(method: String, path: String, headers: [String: String] = [:], body: [UInt8] = [], bodyTooLarge: Bool = false) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.bodyTooLarge = bodyTooLarge
    }
}

/// One HTTP response: status, extra headers, body bytes.
struct HTTPResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    init(status: Int, headers: [(String, String)] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response (`Content-Type: application/json`).
    static func json(_ value: JSONValue, status: Int = 200, headers: [(String, String)] = []) -> HTTPResponse {
        var body: [UInt8] = []
        value.write(to: &body)
        body.append(0x0A)
        return HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
    }

    /// A plain-text response.
    static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
    }
}
