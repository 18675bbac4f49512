import ExemplarData
import ExemplarDemos
import ExemplarIndex
import ExemplarStore
import Testing

/// `DemoRequest`: the defaults, limits and checks both front ends share.
@Suite struct DemoRequestTests {
    /// Two train and one dev example per label, two sentences each when `pairs`.
    func source(pairs: Bool = false, task: LMBFFTask? = nil) -> DemoSource {
        let records = (0..<6).map { i in
            IndexRecord(id: UInt32(i), split: i < 4 ? "train" : "dev", label: i % 2 == 0 ? "0" : "1",
                        textA: "sentence \(i)", textB: pairs ? "second \(i)" : nil, line: i + 1)
        }
        let vectors = (0..<(6 * 3)).map { Float(($0 * 7) % 5) + 0.5 }
        return DemoSource(name: "the test index", exact: ExactIndex(records: records, vectors: vectors, dimension: 3), task: task)
    }

    @Test func defaultsPerPolicy() throws {
        var r = DemoRequest()
        #expect(try r.selectionPolicy() == .lmbff(filterRate: 0.5, samples: 16))
        r.policy = .random
        #expect(try r.selectionPolicy() == .random(samples: 16))
        r.policy = .nearest
        #expect(try r.selectionPolicy() == .nearest(perLabel: 1))
        r.policy = .mmr
        r.k = 2
        #expect(try r.selectionPolicy() == .mmr(perLabel: 2, lambda: 0.5))
        r.policy = .inContext
        #expect(try r.selectionPolicy() == .inContext(count: 4, order: .random(samples: 1, filterRate: nil)))
        r.order = .nearest
        #expect(try r.selectionPolicy() == .inContext(count: 4, order: .nearest))
    }

    @Test func limitsNameTheParameterBothWays() {
        var r = DemoRequest()
        r.numSample = DemoRequest.Limits.numSample.upperBound + 1
        do throws(DemoError) {
            _ = try r.selectionPolicy()
            Issue.record("num_sample over the limit was accepted")
        } catch {
            #expect(error.field == "num_sample")
            #expect(error.description(naming: \.option).hasPrefix("--num-sample 1001: must be in 1...1000"))
            #expect(error.description.hasPrefix("num_sample 1001: "))
        }
        r.numSample = nil
        r.filterRate = 0
        #expect(throws: DemoError.self) { try r.selectionPolicy() }
        r.filterRate = nil
        r.lambda = 1.5
        r.policy = .mmr
        #expect(throws: DemoError.invalidParameter(.lambda, value: "1.5", reason: "must be in 0.0...1.0")) { try r.selectionPolicy() }
    }

    @Test func validateChecksTheRequestAgainstTheData() throws {
        let single = source()
        var r = DemoRequest()
        try r.validate(for: single)
        r.support = "test"
        #expect(throws: DemoError.self) { try r.validate(for: single) }
        r.support = "dev"
        try r.validate(for: single)

        // A template needs label words, unless it is lmbff on an LM-BFF task.
        r = DemoRequest()
        r.template = "*cls**sent_0*_It_was*mask*.*sep+*"
        do throws(DemoError) { try r.validate(for: single); Issue.record("a template without label words was accepted") } catch {
            #expect(error.field == "label_words")
        }
        r.labelWords = .mapping(["0": "bad", "1": "good"])
        try r.validate(for: single)
        r.labelWords = .text("{'0':'bad','1':'good'}")
        try r.validate(for: single)
        r.labelWords = .mapping(["0": "bad"])
        do throws(DemoError) { try r.validate(for: single); Issue.record("label words missing a label were accepted") } catch {
            #expect(error.field == "label_words")
        }
        r.template = "lmbff"
        r.labelWords = nil
        #expect(throws: DemoError.invalidParameter(.template, value: "lmbff", reason: "needs an index built for an LM-BFF task; give the template and label words")) {
            try r.validate(for: single)
        }
        try r.validate(for: source(task: .sst2))

        // The template's sentences must be the data's.
        r.template = "*cls**sent_0**mask**sent_1**sep+*"
        r.labelWords = .mapping(["0": "No", "1": "Yes"])
        do throws(DemoError) { try r.validate(for: single); Issue.record("a two-sentence template on one-sentence data was accepted") } catch {
            #expect(error.field == "template" && error.description.contains("sent_1"))
        }
        try r.validate(for: source(pairs: true))
        // Label words without a template are refused rather than ignored.
        r.template = nil
        #expect(throws: DemoError.invalidParameter(.labelWords, value: nil, reason: "needs a template")) { try r.validate(for: single) }
    }

    @Test func sentenceLimitsNeedATemplateAndTheTargetTokenizer() throws {
        var r = DemoRequest()
        r.policy = .nearest
        r.template = "*cls**sent_0*_It_was*mask*.*sep+*"
        r.labelWords = .mapping(["0": "bad", "1": "good"])
        r.firstSentLimit = 1
        #expect(throws: DemoError.invalidParameter(.firstSentLimit, value: "1", reason: "counts the target LM's tokens, so it needs that tokenizer (tokenizer: a model folder or tokenizer.json)")) {
            try r.validate(for: source())
        }
        r.otherSentLimit = -1
        #expect(throws: DemoError.self) { try r.validate(for: source(), tokenizer: SpaceTokenizer()) }
        r.otherSentLimit = 1
        // "sentence 4" cut to its first token for the query, "sentence N" to one for each demonstration.
        let demos = try r.makeDemos(source(), tokenizer: SpaceTokenizer())
        let context = try #require(try demos.select(demos.query(record: 4))[0].context?.text)
        #expect(context.hasPrefix("<s>sentence It was<mask>.</s>") && !context.contains(" 4") && !context.contains(" 0 "), "\(context)")
        var untemplated = DemoRequest()
        untemplated.otherSentLimit = 3
        #expect(throws: DemoError.invalidParameter(.otherSentLimit, value: "3", reason: "needs a template")) { try untemplated.validate(for: source()) }
    }

    @Test func makeDemosSelectsFromTheSupportSplit() throws {
        var r = DemoRequest()
        r.policy = .nearest
        r.k = 2
        let demos = try r.makeDemos(source())
        let samples = try demos.select(demos.query(record: 4))
        #expect(samples.count == 1 && samples[0].demonstrations.count == 4)
        #expect(samples[0].demonstrations.allSatisfy { $0.record.split == "train" })
        // A request is a value: equal requests are equal keys (the server caches selectors by them).
        #expect(r == { var s = DemoRequest(); s.policy = .nearest; s.k = 2; return s }())
    }
}
