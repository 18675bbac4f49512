import ExemplarData
import ExemplarDemos
import ExemplarIndex
import ExemplarStore
import ExemplarTestSupport
import Testing

/// Context orders, the balanced policy, max_similarity, the token budget and evaluate-demos'
/// metrics, on a hand-made 2-D support set whose similarities are easy to work out:
///
///     support  id0 "0" (1, 0)   id1 "0" (0.8, 0.6)   id2 "1" (0, 1)   id3 "1" (-0.6, 0.8)
///     dev      id4 "0" (1, 0):     cos 1.0, 0.8, 0, -0.6
///              id5 "1" (0.6, 0.8): cos 0.6, 0.96, 0.8, 0.28
@Suite struct ContextTests {
    static let texts = ["a good film .", "nice and warm , with good acting .", "a dull mess .", "bad , bad , bad .",
                        "good", "warm acting , a film to see ."]

    func source() -> DemoSource {
        let labels = ["0", "0", "1", "1", "0", "1"]
        let records = (0..<6).map { i in
            IndexRecord(id: UInt32(i), split: i < 4 ? "train" : "dev", label: labels[i], textA: Self.texts[i], textB: nil, line: i + 1)
        }
        let vectors: [Float] = [1, 0, 0.8, 0.6, 0, 1, -0.6, 0.8, 1, 0, 0.6, 0.8]
        return DemoSource(name: "the test index", exact: ExactIndex(records: records, vectors: vectors, dimension: 2), task: nil)
    }

    func ids(_ request: DemoRequest, query: UInt32, tokenizer: (any TemplateTokenizer)? = nil) throws -> [UInt32] {
        let demos = try request.makeDemos(source(), tokenizer: tokenizer)
        return try demos.select(demos.query(record: query))[0].demonstrations.map(\.record.id)
    }

    var tokenizer: ModelTokenizer { get throws { try ModelTokenizer(folder: Fixtures.url("tiny-bert-cls")) } }

    @Test func balancedSpreadsCountRoundRobinInLabelOrder() throws {
        var r = DemoRequest()
        r.policy = .balanced
        r.count = 3
        #expect(try r.selectionPolicy() == .balanced(count: 3))
        #expect(try ids(r, query: 4) == [0, 1, 2])  // round 1: id0, id2; round 2: id1
        #expect(try ids(r, query: 5) == [1, 0, 2])  // round 1: id1, id2; round 2: id0
        r.count = 1
        #expect(try ids(r, query: 5) == [1])
        r.count = 10  // more than the support set: every example once
        #expect(try ids(r, query: 4) == [0, 1, 2, 3])
        r.count = 0
        #expect(throws: DemoError.invalidParameter(.count, value: "0", reason: "must be in 1...10000")) { try r.selectionPolicy() }
    }

    @Test func contextOrdersRearrangeThePicksOnly() throws {
        var r = DemoRequest()
        r.policy = .balanced
        r.count = 3
        r.contextOrder = .label
        #expect(try ids(r, query: 5) == [1, 0, 2])
        r.contextOrder = .similarFirst
        #expect(try ids(r, query: 5) == [1, 2, 0])  // 0.96, 0.8, 0.6
        r.contextOrder = .similarLast
        #expect(try ids(r, query: 5) == [0, 2, 1])
        // In-context draws in label order.
        r = DemoRequest()
        r.policy = .inContext
        r.order = .nearest
        r.count = 3
        #expect(try ids(r, query: 5) == [1, 2, 0])
        r.contextOrder = .label
        #expect(try ids(r, query: 5) == [1, 0, 2])
        // Random: a seeded permutation of the same picks, its own stream.
        r.contextOrder = .random
        var seen: Set<[UInt32]> = []
        for seed in 0..<40 {
            r.seed = UInt64(seed)
            let order = try ids(r, query: 5)
            #expect(order.sorted() == [0, 1, 2])
            #expect(try ids(r, query: 5) == order)
            seen.insert(order)
        }
        #expect(seen.count == 6, "40 seeds give every order of three")
        // LM-BFF's sampled contexts keep their draws under any order.
        var lmbff = DemoRequest()
        lmbff.policy = .random
        lmbff.numSample = 8
        let demos = try lmbff.makeDemos(source())
        lmbff.contextOrder = .similarLast
        let reordered = try lmbff.makeDemos(source())
        for (a, b) in zip(try demos.select(demos.query(record: 4)), try reordered.select(reordered.query(record: 4))) {
            let x = a.demonstrations.map(\.record.id), y = b.demonstrations.map(\.record.id)
            #expect(Set(x) == Set(y))
            #expect(b.demonstrations.map(\.similarity) == b.demonstrations.map(\.similarity).sorted())
        }
    }

    @Test func maxSimilarityLeavesNearCopiesOut() throws {
        var r = DemoRequest()
        r.policy = .nearest
        #expect(try ids(r, query: 4) == [0, 2])
        r.maxSimilarity = 0.9
        #expect(try ids(r, query: 4) == [1, 2], "id0 (cos 1.0) is out; the next of its label comes in")
        #expect(try ids(r, query: 5) == [0, 2], "id1 (cos 0.96) is out")
        r.maxSimilarity = -0.7
        do {
            _ = try ids(r, query: 4)
            Issue.record("a max_similarity leaving nothing was accepted")
        } catch let error as DemoError { #expect(error.field == "max_similarity") }
        r.maxSimilarity = 1.5
        do throws(DemoError) {
            try r.validate(for: source())
            Issue.record("max_similarity 1.5 was accepted")
        } catch {
            #expect(error.description(naming: \.option).hasPrefix("--max-similarity 1.5: must be a cosine similarity in [-1, 1]"))
        }
    }

    @Test func tokenBudgetDropsTheLeastSimilarFirst() throws {
        let tokenizer = try tokenizer
        var r = DemoRequest()
        r.policy = .balanced
        r.count = 4
        r.contextOrder = .similarLast
        r.template = "*cls**sent_0*_It_was*mask*.*sep+*"
        r.labelWords = .mapping(["0": "bad", "1": "good"])
        let full = try r.makeDemos(source(), tokenizer: tokenizer)
        let all = try full.select(full.query(record: 5))[0]
        #expect(all.demonstrations.map(\.record.id) == [3, 0, 2, 1])
        let fullCount = try #require(all.context?.tokenCount)
        // The query alone: the template without demonstrations.
        let alone = try #require(try ContextRenderer(template: Template(r.template!), labelWords: LabelWords(["0": "bad", "1": "good"], labels: .classes(["0", "1"])),
                                                     layout: .queryOnly, tokenizer: tokenizer).render(query: [Self.texts[5]]).tokenCount)
        var previous = fullCount
        var tokensKeeping: [Int: Int] = [:]  // demonstrations kept -> the context's tokens
        var keptAt: [Int: Int] = [:]  // budget -> demonstrations kept
        for budget in stride(from: fullCount, through: alone, by: -1) {
            r.maxContextTokens = budget
            let demos = try r.makeDemos(source(), tokenizer: tokenizer)
            let sample = try demos.select(demos.query(record: 5))[0]
            let kept = sample.demonstrations.map(\.record.id)
            let count = try #require(sample.context?.tokenCount)
            #expect(count <= budget)
            #expect(count <= previous)
            previous = count
            // Least similar first: what is kept is a most-similar prefix (1, 2, 0, 3), in similar-last order.
            #expect(kept == Array([UInt32(1), 2, 0, 3].prefix(kept.count)).reversed())
            tokensKeeping[kept.count] = count
            keptAt[budget] = kept.count
        }
        // Every size occurs, and each budget keeps the most that fit: one more would not.
        #expect(Set(tokensKeeping.keys) == [0, 1, 2, 3, 4])
        for (budget, kept) in keptAt where kept < 4 { #expect(tokensKeeping[kept + 1]! > budget) }
        #expect(previous == alone)
        r.maxContextTokens = alone - 1
        do {
            let demos = try r.makeDemos(source(), tokenizer: tokenizer)
            _ = try demos.select(demos.query(record: 5))
            Issue.record("a budget under the query alone was accepted")
        } catch let error as DemoError {
            #expect(error.field == "max_context_tokens")
            #expect(error.description(naming: \.option).contains("--max-context-tokens \(alone - 1): is smaller than the query"))
        }
        // Without a tokenizer, or out of range: refused up front.
        r.maxContextTokens = 10
        #expect(throws: DemoError.self) { try r.validate(for: source()) }
        r.maxContextTokens = 0
        #expect(throws: DemoError.self) { try r.validate(for: source(), tokenizer: tokenizer) }
    }

    @Test func tokenBudgetWithoutTemplateCountsTheSentences() throws {
        let tokenizer = try tokenizer
        var r = DemoRequest()
        r.policy = .inContext
        r.order = .nearest
        r.count = 4  // for id4: id0 1.0, id1 0.8, id2 0, id3 -0.6
        let n = { (i: Int) in tokenizer.tokenize(Self.texts[i]).count }
        r.maxContextTokens = n(4) + n(0) + n(1)
        #expect(try ids(r, query: 4, tokenizer: tokenizer) == [0, 1])
        r.maxContextTokens = n(4) + n(0) + n(1) - 1
        #expect(try ids(r, query: 4, tokenizer: tokenizer) == [0])
        r.maxContextTokens = n(4)
        #expect(try ids(r, query: 4, tokenizer: tokenizer) == [])
    }

    @Test func wordPieceTokenizerCountsWithoutTruncating() throws {
        let tokenizer = try tokenizer
        let long = Array(repeating: "good", count: 600).joined(separator: " ")
        #expect(tokenizer.tokenize(long).count == 600)
        #expect(tokenizer.detokenize(tokenizer.tokenize("a good film .")) == "a good film .")
    }

    @Test func exportShapes() throws {
        var r = DemoRequest()
        r.policy = .nearest
        r.contextOrder = .similarFirst
        let demos = try r.makeDemos(source())
        let query = demos.query(record: 5)
        let sample = try demos.select(query)[0]
        #expect(demos.iceIdx(sample).text == "[1,2]")
        #expect(demos.supportIndex(of: 4) == nil)
        let row = demos.hfRow(query: query, id: 5, label: "1", sample: sample, number: 0)
        #expect(row.text.hasPrefix(#"{"demonstrations":[{"id":1,"index":1,"label":"0","similarity":0.96"#))
        #expect(row.text.hasSuffix(#"],"id":5,"label":"1","sample":0,"text":"warm acting , a film to see ."}"#))
        let text = demos.hfRow(query: IndexDemos.Query(sentences: ["new"], vector: [1, 0], key: 0), id: nil, label: nil, sample: sample, number: 2).text
        #expect(text.hasSuffix(#""id":null,"label":null,"sample":2,"text":"new"}"#))
    }

    @Test func evaluationMetricsMatchHandComputedValues() throws {
        var r = DemoRequest()
        r.policy = .inContext
        r.order = .nearest
        r.count = 2
        let demos = try r.makeDemos(source())
        let queries = [demos.query(record: 4), demos.query(record: 5)]
        for threads in [1, 2] {
            let m = try DemoEvaluation.evaluate(demos, queries: queries, labels: ["0", "1"], policy: "in-context", threads: threads)
            // id4 gets id0, id1 (both "0"); id5 gets id1 ("0", 0.96), id2 ("1", 0.8): a 1-1 tie the larger similarity breaks for "0".
            #expect(m.contexts == 2 && m.demonstrations == 4)
            #expect(abs(m.labelAgreement - 0.75) < 1e-6)
            #expect(abs(m.voteAccuracy - 0.5) < 1e-6)
            #expect(abs(try #require(m.diversity) - (0.8 + 0.6) / 2) < 1e-6)
            #expect(abs(m.coverage - 0.75) < 1e-6)
            #expect(abs(m.meanSimilarity - (1 + 0.8 + 0.96 + 0.8) / 4) < 1e-6)
            #expect(m.json["knn_vote_accuracy"] == .number(0.5))
        }
        // One demonstration per context: no pairs, so no diversity; a wrong-label query agrees with nothing.
        r.count = 1
        let one = try r.makeDemos(source())
        let m = try DemoEvaluation.evaluate(one, queries: queries, labels: ["1", "1"], policy: "in-context")
        #expect(m.diversity == nil && m.json["diversity"] == .null)
        #expect(m.labelAgreement == 0 && m.voteAccuracy == 0 && m.coverage == 0.5)
        #expect(throws: DemoError.self) { try DemoEvaluation.evaluate(one, queries: queries, labels: ["1", "neutral"], policy: "in-context") }
    }
}
