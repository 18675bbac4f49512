import ExemplarData
import ExemplarJSON
import ExemplarIndex

/// `POST /v1/indexes/{name}/examples`, `GET` and `DELETE /v1/indexes/{name}/examples/{id}`.
extension Service {
    func addExamples(_ index: OnlineIndex, name: String, _ body: JSONReader) throws -> HTTPResponse {
        let fields = RequestBody.exampleFields.map(\.0)
        var items: [JSONReader] = []
        if let list = body.field("examples") {
            try body.only(["examples"])  // the examples form: nothing beside the list
            guard case .array(let values) = list, !values.isEmpty else {
                throw JSONError.field(path: "examples", reason: "must be a non-empty array of {text, text_b, label, split} objects")
            }
            guard values.count <= configuration.maxClientBatch else {
                throw ServerError.batchTooLarge(field: "examples", count: values.count, limit: configuration.maxClientBatch)
            }
            for (i, value) in values.enumerated() {
                guard case .object = value else { throw JSONError.field(path: "examples[\(i)]", reason: "must be an object") }
                items.append(JSONReader(value: value, path: "examples[\(i)]"))
            }
        } else {
            items = [body]
        }
        let manifest = index.snapshot.index.manifest
        // An index of single sentences (no stored example has a second one) takes none.
        lazy var holdsPairs = index.snapshot.index.records.contains { $0.textB != nil }
        var examples: [OnlineIndex.NewExample] = []
        for item in items {
            try item.only(item.path.isEmpty ? fields + ["examples"] : fields)  // "examples": null is no list
            guard let text = try item.string("text"), !text.isEmpty else { throw JSONError.field(path: item.name("text"), reason: "is required and must not be empty") }
            guard let label = try item.string("label") else { throw JSONError.field(path: item.name("label"), reason: "is required") }
            guard manifest.labels.contains(label) else {
                throw JSONError.field(path: item.name("label"), reason: "\"\(label)\" is not a label of index \(name); its labels: \(manifest.labels.joined(separator: ", "))")
            }
            let split = try item.string("split") ?? "train"
            guard !split.isEmpty, split != OnlineIndex.deletedSplit else { throw JSONError.field(path: item.name("split"), reason: "must be a split name such as train") }
            let textB = try item.string("text_b")
            if textB != nil, !holdsPairs {
                throw JSONError.field(path: item.name("text_b"), reason: "is for sentence-pair indexes; index \(name) holds single sentences")
            }
            examples.append(.init(split: split, label: label, textA: text, textB: textB))
        }
        let texts = examples.map { Example.embeddingText($0.textA, $0.textB) }
        try IndexEmbedding.checkDocumentPrecision(worker.encoder, manifest: manifest, path: name)
        let vectors = try embed(texts, field: body.field("examples") == nil ? "text" : "examples",
                                settings: IndexEmbedding.documentSettings(worker.encoder, identity: identity, manifest: manifest, path: name)).vectors
        let ids: [UInt32]
        ids = try index.add(examples, vectors: vectors)
        return .json(.object([("index", .string(name)), ("ids", .array(ids.map { .int(Int($0)) })),
                              ("examples", .int(index.snapshot.count))]), status: 201)
    }

    func getExample(_ index: OnlineIndex, name: String, id: Int) throws -> HTTPResponse {
        guard let record = index.snapshot.record(id) else { throw ServerError.unknownExample(index: name, id: String(id)) }
        var fields: [(String, JSONValue)] = [("id", .int(id)), ("label", .string(record.label)), ("line", .int(record.line)),
                                             ("split", .string(record.split)), ("text", .string(record.textA))]
        if let b = record.textB { fields.append(("text_b", .string(b))) }
        return .json(.object(fields))
    }

    func deleteExample(_ index: OnlineIndex, name: String, id: Int) throws -> HTTPResponse {
        guard let key = UInt32(exactly: id), try index.delete(key) else { throw ServerError.unknownExample(index: name, id: String(id)) }
        return .json(.object([("index", .string(name)), ("id", .int(id)), ("deleted", .bool(true)),
                              ("examples", .int(index.snapshot.count))]))
    }
}
