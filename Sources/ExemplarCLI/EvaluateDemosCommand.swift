import ExemplarChart
import ExemplarDemos
import ExemplarIndex
import ExemplarJSON
import ExemplarIO
import Foundation

extension Option {
    static let policies = Option("--policies", value: "P,P,...", help: "Policies to compare, each optionally with its own options as P:NAME=V:NAME=V (default lmbff,random,nearest,mmr,in-context,balanced,topk-dpp,bm25; bm25 only for an index with postings).")
    static let png = Option("--png", value: "FILE", help: "Also draw the metrics as a bar chart (PNG).")
}

/// `exemplar evaluate-demos`: what each policy's demonstrations give a labelled split (`DemoEvaluation`).
enum EvaluateDemosCommand {
    static let spec = CommandSpec(
        name: "evaluate-demos",
        usage: "evaluate-demos (INDEX | --data DIR --task T --embeddings NAME) --queries SPLIT [--policies lmbff,nearest,...] [demos options] [--json] [--png FILE]",
        abstract: "Compare demonstration policies on a labelled split: label agreement, kNN-vote accuracy, diversity, coverage.",
        discussion: """
            Runs each policy of --policies over the queries of a labelled split (as 'exemplar
            demos' would, with the same options: --k, --count, --num-sample, --seed,
            --context-order, --max-similarity, --max-context-tokens, ...) and reports, per policy:
              label agreement    the fraction of chosen demonstrations whose label is the query's
              kNN-vote accuracy  the fraction of contexts whose demonstrations' majority label is
                                 the query's (ties: the larger summed similarity, then label order)
              diversity          the mean pairwise cosine similarity within a context (lower is
                                 more diverse; contexts of two or more demonstrations)
              coverage           the fraction of the support set chosen at least once
              mean similarity    of a demonstration to its query
            No language model is run: these say what a policy puts in front of one.

            A policy in --policies may carry its own options, NAME=VALUE after colons, with
            the request's field names: in-context:order=nearest (KATE's kNN),
            nearest:k=2:context_order=similar-last, mmr:lambda=0.3 (fields: \(overridable.map(\.json).joined(separator: ", "))).

            Output: a table (default), --json (one object with a "policies" list), and --png FILE,
            a bar chart drawn by exemplar itself.

            EXAMPLES:
              exemplar evaluate-demos indexes/sst-2 --queries test --policies lmbff,nearest,balanced --count 4
              exemplar evaluate-demos indexes/sst-2-full --queries dev --json --png policies.png
            """,
        options: [
            .queries.with(value: "SPLIT", help: "A labelled split of the index (dev, test, or train: a query is never its own demonstration). Required."),
            .policies,
            .data.with(help: "Instead of an index: an LM-BFF data folder with embedding files (needs --task, --embeddings)."),
            .task.with(help: "The data folder's LM-BFF task (with --data)."),
            .embeddings, .support, .filterRate, .numSample,
            .k.with(help: "nearest/mmr/bm25: demonstrations per label (default 1); topk-dpp, bm25 --all-labels: in all (default 4)."),
            .lambda, .count, .order, .candidateNum, .scaleFactor, .dppMode,
            .perClass.with(help: "topk-dpp: k and candidate_num per label, labels in order (bm25 is per label unless --all-labels)."), .allLabels, .demoBM25Weight,
            .seed, .template, .labelWords, .specialTokens, .placement,
        ] + DemoContextOptions.options + [
            .limit, .json.with(help: "Print JSON instead of a table."), .png, .model, .threads,
        ])

    static let defaultPolicies = ["lmbff", "random", "nearest", "mmr", "in-context", "balanced", "topk-dpp", "bm25"]

    /// The request fields a --policies entry may set for itself.
    static let overridable: [DemoRequest.Parameter] = [.k, .count, .order, .numSample, .filterRate, .lambda, .contextOrder, .maxSimilarity, .perClass, .bm25Weight]

    /// One --policies entry, `NAME[:FIELD=VALUE]...`, applied to the shared request.
    static func entry(_ text: String, base args: ParsedArguments) throws -> DemoRequest {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let policy = DemoRequest.Policy(rawValue: parts[0]) else {
            throw UsageError(command: spec.name, message: "--policies: unknown policy \"\(parts[0])\"; policies are \(DemoRequest.Policy.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var request = try DemosCommand.demoRequest(args, policy: policy)
        if policy != .bm25 { request.bm25Weight = nil }  // the shared --bm25-weight is bm25's alone
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, let field = overridable.first(where: { $0.json == pair[0] || $0.option == "--" + pair[0] }) else {
                throw UsageError(command: spec.name, message: "--policies \(text): \"\(part)\" is not FIELD=VALUE with a field of \(overridable.map(\.json).joined(separator: ", "))")
            }
            func bad(_ expected: String) -> UsageError { UsageError(command: spec.name, message: "--policies \(text): \(field.json) must be \(expected), got \"\(pair[1])\"") }
            switch field {
            case .k, .count, .numSample:
                guard let n = Int(pair[1]) else { throw bad("an integer") }
                if field == .k { request.k = n } else if field == .count { request.count = n } else { request.numSample = n }
            case .filterRate, .lambda, .maxSimilarity, .bm25Weight:
                guard let x = Double(pair[1]), x.isFinite else { throw bad("a number") }
                switch field {
                case .filterRate: request.filterRate = x
                case .lambda: request.lambda = x
                case .bm25Weight: request.bm25Weight = x
                default: request.maxSimilarity = x
                }
            case .perClass:
                guard let value = Bool(pair[1]) else { throw bad("true or false") }
                request.perClass = value
            case .order:
                guard let order = DemoRequest.Order(rawValue: pair[1]) else { throw bad("one of \(DemoRequest.Order.allCases.map(\.rawValue).joined(separator: ", "))") }
                request.order = order
            default:
                guard let order = ContextOrder(rawValue: pair[1]) else { throw bad("one of \(ContextOrder.allCases.map(\.rawValue).joined(separator: ", "))") }
                request.contextOrder = order
            }
        }
        return request
    }

    static func run(_ args: ParsedArguments) throws {
        guard let split = args.string(.queries) else {
            throw UsageError(command: spec.name, message: "--queries SPLIT is required (a labelled split, e.g. --queries test)")
        }
        var names = defaultPolicies
        if let list = args.string(.policies) {
            names = []
            for name in list.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) })
            where !names.contains(name) { names.append(name) }
        }
        var requests = try names.map { try entry($0, base: args) }
        let source = try DemosCommand.openSource(args)
        // bm25 needs postings: the default list leaves it out for a source without them.
        if args.string(.policies) == nil, (try source.index?.lexical) == nil, let i = names.firstIndex(of: "bm25") {
            names.remove(at: i)
            requests.remove(at: i)
        }
        guard source.splits.contains(split) else {
            throw UsageError(command: spec.name, message: "--queries \(split) is not a split of \(source.name); its splits are \(source.splits.joined(separator: ", "))")
        }
        var records = source.exact.records.filter { $0.split == split }
        if let limit = try args.int(.limit, range: 1...Int(Int32.max)), limit < records.count { records.removeLast(records.count - limit) }
        let threads = try Common.threads(args, command: spec.name)
        var tokenizer: (any TemplateTokenizer)?
        var results: [DemoEvaluation] = []
        for (name, request) in zip(names, requests) {
            if tokenizer == nil { tokenizer = try DemoContextOptions.tokenizer(args, request: request, source: source) }
            let demos: IndexDemos
            do { demos = try request.makeDemos(source, tokenizer: tokenizer) } catch {
                throw UsageError(command: spec.name, message: "policy \(name): " + error.description(naming: \.option))
            }
            let queries = records.map { demos.query(record: $0.id) }
            do {
                results.append(try DemoEvaluation.evaluate(demos, queries: queries, labels: records.map(\.label), policy: name, threads: threads))
            } catch let error as DemoError {
                throw UsageError(command: spec.name, message: "policy \(name): " + error.description(naming: \.option))
            }
        }
        let support = args.string(.support) ?? "train"
        if let png = args.string(.png) {
            let chart = BarChart(
                title: "\(source.name): \(records.count) \(split) queries, support \(support)",
                categories: ["label agreement", "kNN-vote accuracy", "mean pairwise cos", "coverage", "mean similarity"],
                series: results.map { ($0.policy, [$0.labelAgreement, $0.voteAccuracy, $0.diversity, $0.coverage, $0.meanSimilarity]) })
            try OutputFile.write(to: png) { try $0.write(chart.draw().png()) }
        }
        if args.flag(.json) {
            let json = JSONValue.object([("index", .string(source.name)), ("queries", .string(split)), ("query_count", .int(records.count)),
                                         ("support", .string(support)), ("policies", .array(results.map(\.json)))])
            print(json.text)
        } else {
            print(table(results, title: "\(source.name): \(records.count) \(split) queries against the \(support) split"), terminator: "")
        }
    }

    /// The metrics as an aligned text table.
    static func table(_ results: [DemoEvaluation], title: String) -> String {
        let header = ["policy", "label agreement", "kNN-vote acc.", "diversity", "coverage", "mean sim.", "demos/ctx", "contexts", "seconds"]
        let rows = results.map { r in
            [r.policy, f(r.labelAgreement), f(r.voteAccuracy), r.diversity.map(f) ?? "-", f(r.coverage), f(r.meanSimilarity),
             String(format: "%.2f", r.demonstrationsPerContext), "\(r.contexts)", String(format: "%.3f", r.seconds)]
        }
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, cell in
                c == 0 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) : String(repeating: " ", count: widths[c] - cell.count) + cell
            }.joined(separator: "  ") + "\n"
        }
        return title + "\n" + line(header) + rows.map(line).joined()
    }

    static func f(_ v: Double) -> String { String(format: "%.4f", v) }
}
