import ExemplarTestSupport
import Foundation
import Testing

/// `/openapi.json` against the routes the server really answers: every documented operation is
/// routed (not 404/405), every route's methods are documented, and the strict request bodies'
/// fields are exactly what the handlers accept.
@Suite(.timeLimit(.minutes(2))) struct OpenAPITests {
    @Test func theDocumentDescribesEveryRouteAndNothingElse() async throws {
        try await withServer(token: "tok") { s in
            let doc = try await s.send("GET", "/openapi.json", useToken: false)
            #expect(doc.status == 200)
            let o = doc.object
            #expect(o["openapi"] as? String == "3.1.0")
            let paths = o["paths"] as? [String: [String: Any]] ?? [:]
            #expect(paths.count >= 19)
            for (path, operations) in paths {
                let concrete = path.replacingOccurrences(of: "{name}", with: "sst2").replacingOccurrences(of: "{id}", with: "1")
                    .replacingOccurrences(of: "{model}", with: "tiny-bert-max")
                for method in ["get", "post", "put", "patch", "delete"] {
                    let documented = operations[method] != nil
                    let reply = try await s.send(method.uppercased(), concrete, body: method == "post" ? "{}" : nil)
                    // An undocumented method is 405; a documented one is routed (anything but 404/405).
                    if documented {
                        #expect(reply.status != 404 && reply.status != 405, "\(method) \(path): \(reply.status)")
                    } else {
                        #expect(reply.status == 405, "\(method) \(path) is answered \(reply.status) but not documented")
                    }
                }
                // Public operations say so; the others need the bearer token.
                for (method, value) in operations {
                    let operation = value as? [String: Any] ?? [:]
                    let isPublic = (operation["security"] as? [Any])?.isEmpty ?? false
                    let concreteMethod = method.uppercased()
                    let anonymous = try await s.send(concreteMethod, concrete, body: method == "post" ? "{}" : nil, useToken: false)
                    #expect((anonymous.status == 401) == !isPublic, "\(method) \(path) without a token: \(anonymous.status)")
                }
            }

            // A strict body refuses a field the document does not list, and accepts each it does (no "not a known field").
            for (path, operations) in paths {
                guard let post = operations["post"] as? [String: Any],
                      let schema = ((((post["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"]
                          as? [String: Any])?["schema"] as? [String: Any]) else { continue }
                let concrete = path.replacingOccurrences(of: "{name}", with: "sst2")
                let fields = (schema["properties"] as? [String: Any] ?? [:]).keys
                let strict = schema["additionalProperties"] as? Bool == false
                let unknown = try await s.send("POST", concrete, body: #"{"zz_not_a_field": 1}"#)
                #expect((unknown.errorField == "zz_not_a_field") == strict, "\(path): \(unknown.text)")
                for field in fields {
                    let r = try await s.send("POST", concrete, body: "{\"\(field)\": null}")
                    #expect(!r.text.contains("is not a known field"), "\(path) \(field): \(r.text)")
                }
            }
        }
        try await withServer { s in
            let docs = try await s.send("GET", "/docs")
            #expect(docs.status == 200 && docs.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(docs.text.contains("/v1/indexes/{name}/demonstrations"))
        }
    }
}
