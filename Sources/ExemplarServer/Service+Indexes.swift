import ExemplarANN
import ExemplarJSON
import ExemplarIndex
import ExemplarStore

/// `GET /v1/indexes[/{name}]` and `POST /v1/indexes/{name}/search`.
extension Service {
    /// Queries in one search request from which they are scored together with sgemm blocks
    /// (`ExactIndex.searchBatch`: scores equal the one-query scan's up to float rounding).
    static let batchedSearchMinimum = 8

    /// An index's description: manifest counts (live, after online changes), model, labels.
    func describe(_ name: String, _ index: OnlineIndex) -> JSONValue {
        let snapshot = index.snapshot
        let m = snapshot.index.manifest
        return .object([
            ("object", .string("index")), ("name", .string(name)), ("task", .optional(m.task)),
            ("examples", .int(snapshot.count)), ("labels", .strings(m.labels)),
            ("counts_by_label", .counts(m.countsByLabel)), ("counts_by_split", .counts(m.countsBySplit)),
            ("model", m.model.json),
            ("built_at", .string(m.builtAt.formatted(.iso8601))), ("size_bytes", .int(snapshot.index.sizeOnDisk)),
            ("online_changes", .bool(m.dataFingerprint.hasPrefix("online:"))),
            ("interrupted_build", .bool(snapshot.index.interruptedBuild)), ("read_only", .bool(index.readOnly)),
        ])
    }

    func search(_ index: OnlineIndex, name: String, _ body: JSONReader) throws -> HTTPResponse {
        try RequestBody.search.check(body)
        let snapshot = index.snapshot
        let dim = snapshot.index.exact.dimension
        let given = ["text", "texts", "vector", "vectors"].filter { body.field($0) != nil }
        guard given.count == 1 else {
            throw JSONError.field(path: given.count > 1 ? given[1] : "text", reason: given.count > 1
                ? "cannot be given with \"\(given[0])\"; give one of text, texts, vector, vectors"
                : "is required (or texts, vector, vectors)")
        }
        let k = try body.int("k", range: 1...10_000) ?? 5
        let perClass = try body.bool("per_class") ?? false
        // Where the index has approximate (faiss) partitions: their settings, or `exact`.
        let method: ExactIndex.Method = try body.bool("exact") == true ? .exact
            : .automatic(ANNSearchParameters(nprobe: try body.int("nprobe", range: 1...1_000_000),
                                             efSearch: try body.int("ef_search", range: 1...1_000_000)))
        let label = try body.string("label")
        let split = try body.string("split")
        let exclude = Set(try body.ids("exclude_ids")?.map(UInt32.init) ?? [])
        if let label, !snapshot.index.manifest.labels.contains(label) {
            throw JSONError.field(path: "label", reason: "\"\(label)\" is not a label of index \(name); its labels: \(snapshot.index.manifest.labels.joined(separator: ", "))")
        }
        if let split, snapshot.index.manifest.countsBySplit[split] == nil {
            throw JSONError.field(path: "split", reason: "\"\(split)\" is not a split of index \(name); its splits: \(snapshot.index.manifest.countsBySplit.keys.sorted().joined(separator: ", "))")
        }
        let field = given[0]
        let mode: SearchMode
        if let raw = try body.string("mode") {
            guard let m = SearchMode(rawValue: raw) else {
                throw JSONError.field(path: "mode", reason: "must be one of \(SearchMode.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(raw)\"")
            }
            mode = m
        } else {
            mode = .dense
        }
        let weight = try body.double("bm25_weight", range: 0...1) ?? 0.5
        if body.field("bm25_weight") != nil && mode != .hybrid {
            throw JSONError.field(path: "bm25_weight", reason: "applies to mode hybrid only")
        }
        if mode != .dense {
            guard field == "text" || field == "texts" else {
                throw JSONError.field(path: "mode", reason: "\(mode.rawValue) searches words: give text or texts, not \(field)")
            }
        }
        var texts: [String?] = []
        var queries: [[Float]] = []
        switch field {
        case "text", "texts":
            let strings = try body.strings(field) ?? []
            guard !strings.isEmpty else { throw JSONError.field(path: field, reason: "must not be empty") }
            if field == "text", case .array = body.field(field) { throw JSONError.field(path: field, reason: "must be a string (use texts for several)") }
            queries = mode == .bm25 ? [] : try embed(strings, field: field, settings: querySettings(snapshot.index.manifest, name: name)).vectors
            texts = strings
        default:
            queries = try body.vectors(field, dimension: dim, nested: field == "vectors") ?? []
            guard !queries.isEmpty else { throw JSONError.field(path: field, reason: "must not be empty") }
            guard queries.count <= configuration.maxClientBatch else {
                throw ServerError.batchTooLarge(field: field, count: queries.count, limit: configuration.maxClientBatch)
            }
            // A zero vector has no direction: every cosine with it is 0, so any order would be arbitrary.
            if let i = queries.firstIndex(where: { $0.allSatisfy { $0 == 0 } }) {
                throw JSONError.field(path: field == "vectors" ? "vectors[\(i)]" : field, reason: "is all zeros; a query vector needs a direction")
            }
            texts = Array(repeating: nil, count: queries.count)
        }
        let filter = snapshot.filter(label: label, split: split, excluding: exclude)
        if mode != .dense {
            let lexical: LexicalSearch
            do { lexical = try LexicalSearch(index: snapshot.index, split: split) } catch { throw JSONError.field(path: "mode", reason: "cannot be \(mode.rawValue) for index \(name): \(error.description)") }
            let results: [JSONValue] = texts.enumerated().map { i, text in
                let groups = lexical.search(text: text ?? "", vector: mode == .hybrid ? queries[i] : nil, mode: mode, weight: weight,
                                            k: k, perClass: perClass, filter: filter)
                return SearchJSON.result(query: text, groups: groups, perClass: perClass, records: snapshot.index.records)
            }
            if field == "text" { return .json(results[0]) }
            return .json(.object([("queries", .array(results))]))
        }
        let exact = snapshot.index.exact
        if queries.count >= Self.batchedSearchMinimum {
            // Many queries: sgemm blocks on this request's thread and one more (`searchBatch`).
            let batched = exact.searchBatch(queries, k: k, perClass: perClass, filter: filter, threads: 2, method: method)
            return .json(.object([("queries", .array(zip(texts, batched).map { text, groups in
                SearchJSON.result(query: text, groups: groups, perClass: perClass, records: snapshot.index.records)
            }))]))
        }
        let results: [JSONValue] = zip(texts, queries).map { text, query in
            // The SIMD scan on this request's thread and one more (large partitions only; no
            // sgemm, so the worker's BLAS threads are not touched).
            let groups = perClass ? exact.searchPerClass(query, k: k, filter: filter, threads: 2, method: method)
                : [("", exact.search(query, k: k, filter: filter, threads: 2, method: method))]
            return SearchJSON.result(query: text, groups: groups, perClass: perClass, records: snapshot.index.records)
        }
        if field == "text" || field == "vector" { return .json(results[0]) }
        return .json(.object([("queries", .array(results))]))
    }
}
