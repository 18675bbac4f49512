import ExemplarJSON
import ExemplarData
import ExemplarDemos
import ExemplarIndex

/// `POST /v1/indexes/{name}/demonstrations`: LM-BFF's policies (and others) over the index's
/// support split through `IndexDemos`, with contexts rendered when a template is given.
extension Service {
    static let demoFields = ["query", "queries", "text", "text_b", "id", "policy", "filter_rate", "num_sample", "k", "lambda",
                             "count", "order", "seed", "support", "template", "label_words", "special_tokens", "placement"]

    func demonstrations(_ index: OnlineIndex, name: String, _ body: JSONReader) throws -> HTTPResponse {
        try body.only(Self.demoFields)
        let snapshot = index.snapshot
        let manifest = snapshot.index.manifest
        let policy = try Self.policy(body)
        let seed = UInt64(try body.int("seed", range: 0...Int(Int64.max)) ?? 42)
        let support = try body.string("support") ?? "train"
        guard manifest.countsBySplit[support] != nil else {
            throw JSONError.field(path: "support", reason: "\"\(support)\" is not a split of index \(name); its splits: \(manifest.countsBySplit.keys.sorted().joined(separator: ", "))")
        }
        let task = manifest.task.flatMap(LMBFFTask.init(name:))
        let grouping = task.map(DemoLabels.init(task:)) ?? .classes(manifest.labels)
        let renderer = try Self.renderer(body, task: task, grouping: grouping, policy: policy)
        let options = ["template", "label_words", "special_tokens", "placement"].map { body.field($0)?.text ?? "-" }
        let key = ([name, manifest.dataFingerprint, support, "\(policy)", "\(seed)"] + options).joined(separator: "\u{0}")
        let demos = try demoCache.demos(for: key) { () throws -> IndexDemos in
            do {
                return try IndexDemos(index: snapshot.index, policy: policy, seed: seed, supportSplit: support,
                                      grouping: grouping, renderer: renderer)
            } catch { throw ServerError.demos(field: "support", message: "\(error)") }
        }

        // Queries: {text, text_b, id} objects; a query with only an id uses the stored example.
        var items: [JSONReader] = []
        let forms = ["queries", "query", "text"].filter { body.field($0) != nil }
        if forms.count > 1 { throw JSONError.field(path: forms[1], reason: "cannot be given with \"\(forms[0])\"; give one of queries, query, text") }
        if let list = body.field("queries") {
            guard case .array(let values) = list, !values.isEmpty else { throw JSONError.field(path: "queries", reason: "must be a non-empty array of {text, text_b, id} objects") }
            guard values.count <= configuration.maxBatch else { throw ServerError.batchTooLarge(field: "queries", count: values.count, limit: configuration.maxBatch) }
            for (i, value) in values.enumerated() {
                guard case .object = value else { throw JSONError.field(path: "queries[\(i)]", reason: "must be an object") }
                items.append(JSONReader(value: value, path: "queries[\(i)]"))
            }
        } else if let query = try body.object("query") {
            items = [query]
        } else {
            items = [body]
        }
        var queries: [IndexDemos.Query?] = []
        var toEmbed: [(slot: Int, sentences: [String], id: UInt32?)] = []
        for (i, item) in items.enumerated() {
            if item.path != "" { try item.only(["text", "text_b", "id"]) }
            let id = try item.int("id", range: 0...Int(UInt32.max)).map(UInt32.init)
            if let id, snapshot.record(Int(id)) == nil { throw JSONError.field(path: item.name("id"), reason: "\(id) is not an example of index \(name)") }
            if let text = try item.string("text") {
                let sentences = [text] + (try item.string("text_b").map { [$0] } ?? [])
                toEmbed.append((i, sentences, id))
                queries.append(nil)
            } else if let id {
                queries.append(demos.query(record: id))
            } else {
                throw JSONError.field(path: item.name("text"), reason: "is required (or id, for an example of the index)")
            }
        }
        let vectors = try embed(toEmbed.map { $0.sentences.joined(separator: " ") }, field: body.field("queries") == nil ? "text" : "queries").vectors
        for (entry, vector) in zip(toEmbed, vectors) {
            // A query that is an example of the support split is never its own demonstration.
            let own = entry.id.flatMap { snapshot.record(Int($0))?.split == support ? $0 : nil }
            queries[entry.slot] = IndexDemos.Query(sentences: entry.sentences, vector: vector, id: own,
                                                   key: UInt64(entry.id ?? UInt32(entry.slot)))
        }
        var results: [JSONValue] = []
        for (query, item) in zip(queries, items) {
            guard let query else { continue }
            let samples: [IndexDemos.Sample]
            do { samples = try demos.select(query) } catch let error as TemplateError {
                throw ServerError.demos(field: "template", message: error.description)
            } catch {
                throw ServerError.demos(field: item.path.isEmpty ? "policy" : item.path, message: "\(error)")
            }
            let given = (try? item.int("id", range: 0...Int(UInt32.max))).flatMap { $0 }
            results.append(.object([
                ("query", .object([("id", given.map { .int($0) } ?? .null), ("text", .string(query.sentences[0])),
                                   ("text_b", query.sentences.count > 1 ? .string(query.sentences[1]) : .null),
                                   ("label", .optional(given.flatMap { snapshot.record($0)?.label }))])),
                ("samples", .array(samples.map { sample in
                    .object([("demonstrations", .array(sample.demonstrations.map { d in
                        .object([("id", .int(Int(d.record.id))), ("label", .string(d.record.label)), ("similarity", .float(d.similarity)),
                                 ("text", .string(d.record.textA)), ("text_b", .optional(d.record.textB))])
                    })), ("context", .optional(sample.context?.text))])
                })),
            ]))
        }
        return .json(.object([("index", .string(name)), ("policy", .string(policy.name)), ("seed", .int(Int(seed))),
                              ("support", .string(support)), ("results", .array(results))]))
    }

    /// The selection policy from `policy` and its options (defaults as `exemplar demos`).
    static func policy(_ body: JSONReader) throws -> SelectionPolicy {
        let name = try body.string("policy") ?? "lmbff"
        let rate = try body.double("filter_rate", range: 0...1)
        let samples = try body.int("num_sample", range: 1...1_000)
        let k = try body.int("k", range: 1...10_000) ?? 1
        let policy: SelectionPolicy
        switch name {
        case "lmbff": policy = .lmbff(filterRate: rate ?? 0.5, samples: samples ?? 16)
        case "random": policy = .random(samples: samples ?? 16)
        case "nearest": policy = .nearest(perLabel: k)
        case "mmr": policy = .mmr(perLabel: k, lambda: try body.double("lambda", range: 0...1) ?? 0.5)
        case "in-context":
            let count = try body.int("count", range: 1...10_000) ?? 4
            let order = try body.string("order") ?? "random"
            guard order == "random" || order == "nearest" else { throw JSONError.field(path: "order", reason: "must be \"random\" or \"nearest\"") }
            policy = .inContext(count: count, order: order == "nearest" ? .nearest : .random(samples: samples ?? 1, filterRate: rate))
        default:
            throw JSONError.field(path: "policy", reason: "must be one of lmbff, random, nearest, mmr, in-context")
        }
        do { try policy.validate() } catch { throw ServerError.demos(field: "policy", message: error.description) }
        return policy
    }

    /// The context renderer for `template` (LM-BFF's language, or "lmbff" for the task's manual one) and `label_words`.
    static func renderer(_ body: JSONReader, task: LMBFFTask?, grouping: DemoLabels, policy: SelectionPolicy) throws -> ContextRenderer? {
        guard let source = try body.string("template") else {
            if body.field("label_words") != nil { throw JSONError.field(path: "label_words", reason: "needs a template") }
            return nil
        }
        do {
            var template = source
            var words: LabelWords
            if source == "lmbff" {
                guard let task else { throw JSONError.field(path: "template", reason: "\"lmbff\" needs an index built for an LM-BFF task; give the template and label_words") }
                let manual = TaskTemplates.manual(for: task)
                template = manual.template
                words = try LabelWords(manual.labelWords, labels: grouping)
            } else if body.field("label_words") == nil {
                throw JSONError.field(path: "label_words", reason: "is required with a template: an object from each label to its word")
            } else {
                words = try LabelWords([:], labels: .classes([]))
            }
            switch body.field("label_words") {
            case nil: break
            case .string(let text)?: words = try LabelWords(parsing: text, labels: grouping)
            case .object(let fields)?:
                var mapping: [String: String] = [:]
                for (key, value) in fields {
                    guard case .string(let word) = value else { throw JSONError.field(path: "label_words.\(key)", reason: "must be a string") }
                    mapping[key] = word
                }
                words = try LabelWords(mapping, labels: grouping)
            default: throw JSONError.field(path: "label_words", reason: "must be an object from each label to its word")
            }
            let layout: ContextRenderer.Layout
            switch policy {
            case .nearest(let k), .mmr(let k, _): layout = .perLabel(count: k)
            case .inContext(let count, _):
                let placement = try body.string("placement") ?? "tail"
                guard placement == "tail" || placement == "head" else { throw JSONError.field(path: "placement", reason: "must be \"tail\" or \"head\"") }
                layout = .inContext(count: count, placement: placement == "head" ? .head : .tail)
            case .lmbff, .random: layout = .perLabel(count: 1)
            }
            let tokens = try body.string("special_tokens") ?? "roberta"
            guard tokens == "roberta" || tokens == "bert" else { throw JSONError.field(path: "special_tokens", reason: "must be \"roberta\" or \"bert\"") }
            return try ContextRenderer(template: try Template(template), labelWords: words, layout: layout,
                                       specialTokens: tokens == "bert" ? .bert : .roberta)
        } catch let error as ServerError {
            throw error
        } catch let error as JSONError {
            throw error
        } catch let error as TemplateError {
            throw ServerError.demos(field: "template", message: error.description)
        } catch {
            throw ServerError.demos(field: "template", message: "\(error)")
        }
    }
}
