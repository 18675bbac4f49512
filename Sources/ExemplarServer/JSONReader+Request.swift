import ExemplarJSON

extension JSONReader {
    /// A request body: one JSON object in which no object gives a key twice (which of two
    /// values a client meant is a guess, and parsers disagree on it).
    init(request bytes: [UInt8]) throws(JSONError) {
        let document = try JSONParser.parse(bytes)
        try Self.refuseDuplicateKeys(document, path: "")
        try self.init(document: document)
    }

    private static func refuseDuplicateKeys(_ value: JSONValue, path: String) throws(JSONError) {
        switch value {
        case .object(let fields):
            var seen = Set<String>()
            for (key, item) in fields {
                let name = path.isEmpty ? key : "\(path).\(key)"
                guard seen.insert(key).inserted else { throw .field(path: name, reason: "appears twice; give each field once") }
                try refuseDuplicateKeys(item, path: name)
            }
        case .array(let items):
            for (i, item) in items.enumerated() { try refuseDuplicateKeys(item, path: "\(path)[\(i)]") }
        default: break
        }
    }
}
