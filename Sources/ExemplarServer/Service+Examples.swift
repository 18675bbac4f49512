import ExemplarIndex

/// `POST /v1/indexes/{name}/examples`, `GET` and `DELETE /v1/indexes/{name}/examples/{id}`.
extension Service {
    func addExamples(_ index: OnlineIndex, name: String, _ body: RequestBody) throws(ServerError) -> HTTPResponse {
        let fields = ["text", "text_b", "label", "split"]
        var items: [RequestBody] = []
        if let list = body.field("examples") {
            try body.only(["examples"])
            guard case .array(let values) = list, !values.isEmpty else {
                throw .badField(field: "examples", reason: "must be a non-empty array of {text, text_b, label, split} objects")
            }
            guard values.count <= configuration.maxBatch else {
                throw .batchTooLarge(field: "examples", count: values.count, limit: configuration.maxBatch)
            }
            for (i, value) in values.enumerated() {
                guard case .object = value else { throw .badField(field: "examples[\(i)]", reason: "must be an object") }
                items.append(RequestBody(value: value, path: "examples[\(i)]"))
            }
        } else {
            items = [body]
        }
        let manifest = index.snapshot.index.manifest
        var examples: [OnlineIndex.NewExample] = []
        for item in items {
            try item.only(fields)
            guard let text = try item.string("text"), !text.isEmpty else { throw .badField(field: item.name("text"), reason: "is required and must not be empty") }
            guard let label = try item.string("label") else { throw .badField(field: item.name("label"), reason: "is required") }
            guard manifest.labels.contains(label) else {
                throw .badField(field: item.name("label"), reason: "\"\(label)\" is not a label of index \(name); its labels: \(manifest.labels.joined(separator: ", "))")
            }
            let split = try item.string("split") ?? "train"
            guard !split.isEmpty, split != OnlineIndex.deletedSplit else { throw .badField(field: item.name("split"), reason: "must be a split name such as train") }
            examples.append(.init(split: split, label: label, textA: text, textB: try item.string("text_b")))
        }
        let texts = examples.map { e in e.textB.map { e.textA + " " + $0 } ?? e.textA }  // as IndexBuilder embeds pairs
        let vectors = try embed(texts, field: body.field("examples") == nil ? "text" : "examples").vectors
        let ids: [UInt32]
        do { ids = try index.add(examples, vectors: vectors) } catch { throw .index(error) }
        return .json(.object([("index", .string(name)), ("ids", .array(ids.map { .int(Int($0)) })),
                              ("examples", .int(index.snapshot.count))]), status: 201)
    }

    func getExample(_ index: OnlineIndex, name: String, id: Int) throws(ServerError) -> HTTPResponse {
        guard let record = index.snapshot.record(id) else { throw .unknownExample(index: name, id: String(id)) }
        var fields: [(String, JSONValue)] = [("id", .int(id)), ("label", .string(record.label)), ("line", .int(record.line)),
                                             ("split", .string(record.split)), ("text", .string(record.textA))]
        if let b = record.textB { fields.append(("text_b", .string(b))) }
        return .json(.object(fields))
    }

    func deleteExample(_ index: OnlineIndex, name: String, id: Int) throws(ServerError) -> HTTPResponse {
        let deleted: Bool
        do { deleted = try index.delete(UInt32(clamping: id)) } catch { throw .index(error) }
        guard deleted, id <= Int(UInt32.max) else { throw .unknownExample(index: name, id: String(id)) }
        return .json(.object([("index", .string(name)), ("id", .int(id)), ("deleted", .bool(true)),
                              ("examples", .int(index.snapshot.count))]))
    }
}
