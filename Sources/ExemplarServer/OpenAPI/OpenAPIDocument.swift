import ExemplarCore
import ExemplarJSON

/// The OpenAPI 3.1 document for `Endpoint.all` (served at `/openapi.json`) and the `/docs` page.
enum OpenAPIDocument {
    /// The document; with `bearer`, every operation but the public ones needs the token.
    /// `indexes` and `model` are the served names: `{name}` and `{model}` take only those.
    static func json(bearer: Bool, indexes: [String] = [], model: String? = nil) -> JSONValue {
        var paths: [(String, JSONValue)] = []
        for path in uniquePaths {
            let operations = Endpoint.all.filter { $0.path == path }.map { ($0.method.lowercased(), operation($0, bearer: bearer, indexes: indexes, model: model)) }
            paths.append((path, .object(operations)))
        }
        var document: [(String, JSONValue)] = [
            ("openapi", .string("3.1.0")),
            ("info", .object([
                ("title", .string("Exemplar")), ("version", .string(ExemplarVersion.current)),
                ("description", .string("Embeddings (OpenAI's and Text Embeddings Inference's shapes), index search, demonstration selection and online example changes. Errors are {\"error\": {\"message\", \"type\", \"field\", \"code\"}}.")),
            ])),
            ("paths", .object(paths)),
            ("components", .object([("schemas", .object([("Error", Schema.error)]))] + (bearer ? [
                ("securitySchemes", .object([("bearer", .object([("type", .string("http")), ("scheme", .string("bearer"))]))])),
            ] : []))),
        ]
        if bearer { document.append(("security", .array([.object([("bearer", .array([]))])]))) }
        return .object(document)
    }

    /// Patterns in table order, each once.
    static var uniquePaths: [String] {
        var seen: [String] = []
        for e in Endpoint.all where !seen.contains(e.path) { seen.append(e.path) }
        return seen
    }

    private static func operation(_ e: Endpoint, bearer: Bool, indexes: [String], model: String?) -> JSONValue {
        let parameters: [JSONValue] = pathParameters(e.path).map { name in
            let schema: JSONValue = switch name {
            case "id": Schema.integer(min: 0)
            case "name" where !indexes.isEmpty: Schema.enumeration(indexes)
            case "model" where model != nil: Schema.enumeration([model!])
            default: Schema.string
            }
            return .object([("name", .string(name)), ("in", .string("path")), ("required", .bool(true)), ("schema", schema)])
        }
        let route = Route(path: e.path.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: ""))
        var fields: [(String, JSONValue)] = [
            ("operationId", .string(operationID(e))), ("summary", .string(e.summary)), ("tags", .strings([e.tag])),
        ]
        if !parameters.isEmpty { fields.append(("parameters", .array(parameters))) }
        if let request = e.request {
            fields.append(("requestBody", .object([("required", .bool(true)), ("content", .object([
                ("application/json", .object([("schema", request.schema)])),
            ]))])))
        }
        fields.append(("responses", .object([
            (String(e.status), .object([("description", .string("Success")), ("content", .object([(e.contentType, .object([("schema", e.response)]))]))])),
            ("default", .object([("description", .string("An error (4xx, 5xx)")), ("content", .object([
                ("application/json", .object([("schema", .object([("$ref", .string("#/components/schemas/Error"))]))])),
            ]))])),
        ])))
        if bearer, route?.isPublic(e.method) ?? false { fields.append(("security", .array([]))) }
        return .object(fields)
    }

    private static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
    }

    private static func operationID(_ e: Endpoint) -> String {
        let words = e.path.split(separator: "/").map { $0.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")
            .replacingOccurrences(of: ".", with: "_") }
        return ([e.method.lowercased()] + (words.isEmpty ? ["root"] : words)).joined(separator: "_")
    }

    /// The `/docs` page: every operation with its summary and fields, and a link to the document.
    static func html() -> String {
        var rows = ""
        for e in Endpoint.all {
            let fields = e.request.map { r in r.names.map { r.required.contains($0) ? "<b>\($0)</b>" : $0 }.joined(separator: ", ")
                + (r.strict ? "" : " <i>(other fields ignored)</i>") } ?? ""
            rows += "<tr><td><code>\(e.method)</code></td><td><code>\(escape(e.path))</code></td><td>\(escape(e.summary))</td><td>\(fields)</td></tr>\n"
        }
        return """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>Exemplar API</title>
            <style>body{font-family:sans-serif;margin:2em}td,th{padding:.3em .8em;text-align:left;vertical-align:top}tr:nth-child(even){background:#f4f4f4}</style>
            </head><body>
            <h1>Exemplar \(ExemplarVersion.current)</h1>
            <p>The full contract: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Required fields in bold.
            Errors are <code>{"error": {"message", "type", "field", "code"}}</code>.</p>
            <table><tr><th>method</th><th>path</th><th>what</th><th>fields</th></tr>
            \(rows)</table></body></html>
            """
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
