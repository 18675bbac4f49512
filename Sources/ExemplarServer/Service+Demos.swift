import ExemplarData
import ExemplarDemos
import ExemplarIndex
import ExemplarJSON
import Foundation

/// `POST /v1/indexes/{name}/demonstrations`: a `DemoRequest` (the one `exemplar demos` also
/// decodes into) over the index's support split, for queries given as texts or example ids.
extension Service {
    static let queryForms = ["queries", "query", "text"]

    func demonstrations(_ index: OnlineIndex, name: String, _ body: JSONReader) throws -> HTTPResponse {
        try RequestBody.demonstrations.check(body)
        let request = try Self.demoRequest(body)
        let snapshot = index.snapshot
        let source = DemoSource(index: snapshot.index, name: "index \(name)")
        let key = DemoCache.Key(index: name, fingerprint: snapshot.index.manifest.dataFingerprint, request: request)
        let demos = try demoCache.demos(for: key) {
            // The target LM's tokenizer: one the server was started with (serve --tokenizer), by name.
            if let name = request.tokenizer {
                guard let tokenizer = tokenizers[name] else {
                    let offered = tokenizers.keys.sorted()
                    throw body.error("tokenizer", offered.isEmpty
                        ? "this server offers no target tokenizer; start it with --tokenizer PATH (a model folder or tokenizer.json) and name it here by its folder"
                        : "\"\(name)\" is not a tokenizer this server offers; it offers \(offered.joined(separator: ", ")) (serve --tokenizer)")
                }
                var demos = try request.makeDemos(source, tokenizer: tokenizer)
                demos.cacheTokens(of: demos.supportRecords)  // once per cached request
                return demos
            }
            return try request.makeDemos(source, tokenizer: request.maxContextTokens == nil ? nil : ModelTokenizer(worker.encoder.tokenizer))
        }

        // Queries: {text, text_b, id} objects; a query with only an id uses the stored example.
        let forms = Self.queryForms.filter { body.field($0) != nil }
        if forms.count > 1 { throw body.error(forms[1], "cannot be given with \"\(forms[0])\"; give one of queries, query, text") }
        let items: [JSONReader]
        if let list = try body.objects("queries") {
            guard !list.isEmpty else { throw body.error("queries", "must be a non-empty array of {text, text_b, id} objects") }
            guard list.count <= configuration.maxClientBatch else { throw ServerError.batchTooLarge(field: "queries", count: list.count, limit: configuration.maxClientBatch) }
            items = list
        } else if let query = try body.object("query") {
            items = [query]
        } else {
            items = [body]
        }
        var queries: [IndexDemos.Query?] = []
        var ids: [UInt32?] = []
        var toEmbed: [(slot: Int, sentences: [String], id: UInt32?)] = []
        for (i, item) in items.enumerated() {
            if item.path != "" { try item.only(["text", "text_b", "id"]) }
            let id = try item.int("id", range: 0...Int(UInt32.max)).map(UInt32.init)
            if let id, snapshot.record(Int(id)) == nil { throw item.error("id", "\(id) is not an example of index \(name)") }
            ids.append(id)
            if let text = try item.string("text") {
                toEmbed.append((i, [text] + (try item.string("text_b").map { [$0] } ?? []), id))
                queries.append(nil)
            } else if let id {
                queries.append(demos.query(record: id))
            } else {
                throw item.error("text", "is required (or id, for an example of the index)")
            }
        }
        let field = body.field("queries") == nil ? "text" : "queries"
        let vectors = try embed(toEmbed.map { Example.embeddingText($0.sentences) },
                                field: field, settings: querySettings(snapshot.index.manifest, name: name)).vectors
        for (entry, vector) in zip(toEmbed, vectors) {
            // A query that is an example of the support split is never its own demonstration.
            let own = entry.id.flatMap { snapshot.record(Int($0))?.split == request.support ? $0 : nil }
            queries[entry.slot] = IndexDemos.Query(sentences: entry.sentences, vector: vector, id: own,
                                                   key: entry.id.map { UInt64($0) } ?? IndexDemos.Query.textKey(entry.sentences))
        }
        // LM-BFF's sampling: one numpy stream over the request's queries in order.
        var drawn: [Int: [IndexDemos.Sample]] = [:]
        if demos.sampling == .lmbff {
            var random = NumPyRandom(seed: UInt32(truncatingIfNeeded: request.seed))  // the request checked its range
            let present = queries.indices.filter { queries[$0] != nil }
            let samples = try demos.selectLMBFFStream(present.map { queries[$0]! }, random: &random)
            for (i, slot) in present.enumerated() { drawn[slot] = samples[i] }
        }
        var results: [JSONValue] = []
        for (n, (query, id)) in zip(queries, ids).enumerated() {
            guard let query else { continue }
            let samples = try drawn[n] ?? demos.select(query)
            let label = id.flatMap { snapshot.record(Int($0))?.label }
            results.append(.object([
                ("query", IndexDemos.queryJSON(id: id, label: label, sentences: query.sentences)),
                ("samples", .array(samples.enumerated().map { $1.json(number: $0) })),
            ]))
        }
        return .json(.object([("index", .string(name)), ("policy", .string(request.policy.rawValue)), ("seed", .int(Int(request.seed))),
                              ("support", .string(request.support)), ("results", .array(results))]))
    }

    /// The request's options as a `DemoRequest`: types are checked here, ranges and the fit to
    /// the index by `DemoRequest` (as for `exemplar demos`).
    static func demoRequest(_ body: JSONReader) throws -> DemoRequest {
        func choice<T: RawRepresentable & CaseIterable>(_ parameter: DemoRequest.Parameter, _: T.Type) throws -> T? where T.RawValue == String {
            guard let raw = try body.string(parameter.json) else { return nil }
            guard let value = T(rawValue: raw) else {
                throw body.error(parameter.json, "must be one of \(T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
            }
            return value
        }
        var request = DemoRequest()
        request.policy = try choice(.policy, DemoRequest.Policy.self) ?? .lmbff
        request.filterRate = try body.double("filter_rate")
        request.numSample = try body.int("num_sample")
        request.k = try body.int("k")
        request.lambda = try body.double("lambda")
        request.count = try body.int("count")
        request.order = try choice(.order, DemoRequest.Order.self)
        request.seed = UInt64(try body.int("seed", range: DemoRequest.Limits.seed) ?? 42)
        request.support = try body.string("support") ?? "train"
        request.template = try body.string("template")
        switch body.field("label_words") {
        case nil: break
        case .string(let text)?: request.labelWords = .text(text)
        default: request.labelWords = .mapping(Dictionary(try body.stringMap("label_words") ?? [], uniquingKeysWith: { $1 }))
        }
        request.specialTokens = try choice(.specialTokens, DemoRequest.Tokens.self)
        request.placement = try choice(.placement, InContextPlacement.self)
        request.firstSentLimit = try body.int("first_sent_limit")
        request.otherSentLimit = try body.int("other_sent_limit")
        request.candidateNum = try body.int("candidate_num")
        request.scaleFactor = try body.double("scale_factor")
        request.dppMode = try choice(.dppMode, TopKDPP.Mode.self)
        request.perClass = try body.bool("per_class")
        request.contextOrder = try choice(.contextOrder, ContextOrder.self)
        request.maxSimilarity = try body.double("max_similarity")
        request.maxContextTokens = try body.int("max_context_tokens")
        request.bm25Weight = try body.double("bm25_weight")
        if let name = try body.string("lmbff_task") {
            guard let task = LMBFFTask(name: name) else {
                throw body.error("lmbff_task", "must be an LM-BFF task: \(LMBFFTask.allCases.map { "\"\($0.name)\"" }.joined(separator: ", "))")
            }
            request.lmbffTask = task
        }
        request.tokenizer = try body.string("tokenizer")
        request.maxSeqLength = try body.int("max_seq_length")
        request.doubleDemo = try body.bool("double_demo")
        request.truncateHead = try body.bool("truncate_head")
        request.sampling = try choice(.sampling, DemoRequest.Sampling.self)
        request.ids = try body.bool("ids") ?? false
        return request
    }
}
