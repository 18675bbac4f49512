import ExemplarData
import ExemplarDemos
import ExemplarEncoder
import ExemplarIO
import ExemplarTestSupport
import Foundation
import Testing

/// The token ids LM-BFF's own run.py builds for evaluation (Tests/Fixtures/lmbff-ids, made by
/// scripts/make-lmbff-ids-fixtures.py): SST-2, sst-5, trec, MRPC, RTE × seeds 13, 42 × a BERT
/// tokenizer (all-MiniLM-L6-v2's) and a byte-level BPE one, dev then test, 16 samples.
struct LMBFFIDsFixture: Decodable {
    struct Context: Decodable {
        let sample: Int
        let query: Int
        /// LM-BFF's input_ids up to the first pad, space-separated.
        let input_ids: String
        let mask_pos: Int
        /// The padded length.
        let length: Int
        let token_type_ids: Bool
    }

    struct Split: Decodable {
        let queries: Int
        /// The support rows of every context (sample-major, then query), in label order.
        let demos: [[Int]]
        let contexts: [Context]
    }

    let task: String
    let seed: Int
    let tokenizer: String
    let template: String
    let max_length: Int
    let label_word_ids: [Int]
    let num_sample: Int
    let splits: [String: Split]

    static let names: [String] = ["SST-2", "sst-5", "trec", "MRPC", "RTE"].flatMap { task in
        [13, 42].flatMap { seed in ["bert", "bpe"].map { "\(task)-\(seed)-\($0)" } }
    }

    static func load(_ name: String) throws -> LMBFFIDsFixture {
        try JSONDecoder().decode(LMBFFIDsFixture.self, from: Data(contentsOf: Fixtures.url("lmbff-ids/\(name).json")))
    }

    /// The tokenizer LM-BFF ran with: the real MiniLM folder's (BERT), or the committed BPE.
    func modelTokenizer() throws -> ModelTokenizer {
        tokenizer == "bert" ? try ModelTokenizer(folder: ModelLocator.locate(explicit: nil))
            : try ModelTokenizer(folder: Fixtures.url("lmbff-ids/bpe/tokenizer.json"))
    }

    /// LM-BFF's data folder as the fixture script gave it to run.py: the committed splits and the
    /// float16 vectors of Tests/Fixtures/demos written as float32 `{split}_sbert-minilm.npy`.
    func source(in folder: URL) throws -> DemoSource {
        let data = folder.appendingPathComponent("\(task)-\(seed)")
        try FileManager.default.copyItem(at: Fixtures.url("lmbff-ids/data/\(task)/16-\(seed)"), to: data)
        for split in ["train", "dev", "test"] {
            let m = try DemoFixture.matrix("\(task)-\(seed)", split)
            try Data(NPY.encode(m.values, rows: m.rows, columns: m.columns)).write(to: data.appendingPathComponent("\(split)_sbert-minilm.npy"))
        }
        return try DemoSource(lmbffFolder: data, task: try #require(LMBFFTask(name: task)), embeddings: "sbert-minilm")
    }

    /// The request `exemplar demos --lmbff-task TASK --tokenizer T --ids --seed SEED` makes.
    var request: DemoRequest {
        var r = DemoRequest()
        r.lmbffTask = LMBFFTask(name: task)
        r.tokenizer = tokenizer
        r.ids = true
        r.seed = UInt64(seed)
        return r
    }
}

@Suite struct LMBFFInputsTests {
    /// The queries of `split`, in file order.
    static func queries(_ demos: IndexDemos, _ source: DemoSource, _ split: String) -> [IndexDemos.Query] {
        source.exact.records.filter { $0.split == split }.map { demos.query(record: $0.id) }
    }

    /// `--sampling lmbff`: every draw of dev then test equals LM-BFF's, and every stored context's
    /// input_ids, mask position and padded length.
    @Test(arguments: LMBFFIDsFixture.names)
    func lmbffSamplingGivesLMBFFsInputs(name: String) throws {
        let fixture = try LMBFFIDsFixture.load(name)
        let dir = try TemporaryFolder.create("lmbff-ids")
        defer { TemporaryFolder.remove(dir) }
        let source = try fixture.source(in: dir)
        var request = fixture.request
        request.sampling = .lmbff
        let tokenizer = try fixture.modelTokenizer()
        let demos = try request.makeDemos(source, tokenizer: tokenizer)
        let renderer = try #require(demos.renderer)
        let encoder = try #require(demos.inputEncoder)
        #expect(renderer.template.description == fixture.template)
        #expect(encoder.labelWordIDs == fixture.label_word_ids)
        #expect(encoder.maxLength == fixture.max_length)
        #expect(demos.selector.sampleCount == fixture.num_sample)

        var random = NumPyRandom(seed: UInt32(fixture.seed))
        var drawsCompared = 0, idsCompared = 0, drawMismatches: [String] = [], idMismatches: [String] = []
        for split in ["dev", "test"] {
            let expected = try #require(fixture.splits[split])
            let queries = Self.queries(demos, source, split)
            #expect(queries.count == expected.queries)
            let samples = try demos.selectLMBFFStream(queries, random: &random, threads: 2)
            let n = expected.queries
            for (index, rows) in expected.demos.enumerated() {
                let (s, q) = index.quotientAndRemainder(dividingBy: n)
                let ours = samples[q][s].demonstrations.map { Int($0.record.id) }  // train records come first: id = row
                drawsCompared += 1
                if ours != rows { drawMismatches.append("\(split) sample \(s) query \(q): \(ours) vs \(rows)") }
            }
            for context in expected.contexts {
                let inputs = try #require(samples[context.query][context.sample].inputs)
                let length = inputs.attentionMask.reduce(0, +)
                let ids = context.input_ids.split(separator: " ").map { Int($0)! }
                idsCompared += 1
                if Array(inputs.inputIDs.prefix(length)) != ids || inputs.maskPosition != context.mask_pos
                    || inputs.inputIDs.count != context.length || inputs.attentionMask != [Int](repeating: 1, count: length) + [Int](repeating: 0, count: context.length - length) {
                    idMismatches.append("\(split) sample \(context.sample) query \(context.query)")
                }
                #expect(!context.token_type_ids)  // LM-BFF's BERT models see type 0 throughout
                if let types = inputs.tokenTypeIDs { #expect(types.allSatisfy { $0 == 0 } && types.count == context.length) }
                #expect((inputs.tokenTypeIDs != nil) == (fixture.tokenizer == "bert"))
            }
        }
        print("LM-BFF inputs \(name): \(drawsCompared) draws, \(drawMismatches.count) differ; \(idsCompared) contexts' ids, \(idMismatches.count) differ")
        #expect(drawMismatches.count == 0, "\(drawMismatches.prefix(3))")
        #expect(idMismatches.count == 0, "\(idMismatches.prefix(3))")
    }

    /// Default sampling draws other demonstrations, but renders the same demonstrations to the
    /// same ids: LM-BFF's demonstrations through the default request's renderer and encoder.
    @Test(arguments: LMBFFIDsFixture.names)
    func defaultSamplingRendersTheSameIDsUpToTheDraw(name: String) throws {
        let fixture = try LMBFFIDsFixture.load(name)
        let dir = try TemporaryFolder.create("lmbff-ids")
        defer { TemporaryFolder.remove(dir) }
        let source = try fixture.source(in: dir)
        let demos = try fixture.request.makeDemos(source, tokenizer: try fixture.modelTokenizer())
        #expect(demos.sampling == .perQuery)
        let renderer = try #require(demos.renderer), encoder = try #require(demos.inputEncoder)
        let train = source.exact.records.filter { $0.split == "train" }
        let groups = try train.map { try demos.grouping.group(of: $0.label) }
        for split in ["dev", "test"] {
            let expected = try #require(fixture.splits[split])
            let queries = Self.queries(demos, source, split)
            for context in expected.contexts {
                let rows = expected.demos[context.sample * expected.queries + context.query]
                let texts = rows.map { DemoText(group: groups[$0], sentences: IndexDemos.sentences(train[$0])) }
                let inputs = try encoder.encode(try renderer.render(query: queries[context.query].sentences, demonstrations: texts))
                let ids = context.input_ids.split(separator: " ").map { Int($0)! }
                #expect(Array(inputs.inputIDs.prefix(ids.count)) == ids, "\(name) \(split) sample \(context.sample) query \(context.query)")
                #expect(inputs.maskPosition == context.mask_pos)
            }
            // The default draws come through the same encoder.
            let sample = try #require(try demos.select(queries[0]).first)
            let again = try encoder.encode(try #require(sample.context))
            #expect(sample.inputs == again)
        }
    }

    /// The fixtures exercise the rules: sentence limits and the tail cut change ids somewhere.
    @Test func fixturesCoverTheLengthRules() throws {
        for name in ["sst-5-13-bpe", "RTE-42-bert", "MRPC-13-bpe"] {
            let fixture = try LMBFFIDsFixture.load(name)
            let dir = try TemporaryFolder.create("lmbff-ids")
            defer { TemporaryFolder.remove(dir) }
            let source = try fixture.source(in: dir)
            var loose = fixture.request
            loose.firstSentLimit = 1024
            loose.otherSentLimit = 1024
            loose.maxSeqLength = 1024
            let demos = try loose.makeDemos(source, tokenizer: try fixture.modelTokenizer())
            var random = NumPyRandom(seed: UInt32(fixture.seed))
            var differ = 0
            for split in ["dev", "test"] {
                let expected = try #require(fixture.splits[split])
                let samples = try demos.selectLMBFFStream(Self.queries(demos, source, split), random: &random, threads: 1)
                for context in expected.contexts {
                    let ids = context.input_ids.split(separator: " ").map { Int($0)! }
                    let inputs = try #require(samples[context.query][context.sample].inputs)
                    if Array(inputs.inputIDs.prefix(inputs.attentionMask.reduce(0, +))) != ids { differ += 1 }
                }
            }
            #expect(differ > 0, "\(name): without LM-BFF's limits every context would still match")
        }
    }

    @Test func clearErrors() throws {
        let fixture = try LMBFFIDsFixture.load("SST-2-13-bpe")
        let dir = try TemporaryFolder.create("lmbff-ids")
        defer { TemporaryFolder.remove(dir) }
        let source = try fixture.source(in: dir)
        let bpe = try fixture.modelTokenizer()
        func failure(_ request: DemoRequest, tokenizer: ModelTokenizer?) -> DemoError? {
            do { _ = try request.makeDemos(source, tokenizer: tokenizer); return nil } catch { return error }
        }
        // Sentence limits without a tokenizer.
        var limits = DemoRequest()
        limits.template = "lmbff"
        limits.firstSentLimit = 110
        #expect(failure(limits, tokenizer: nil)?.field == "first_sent_limit")
        var task = fixture.request
        task.tokenizer = nil
        #expect(failure(task, tokenizer: nil)?.field == "lmbff_task")
        // Special tokens the tokenizer lacks.
        var bert = fixture.request
        bert.specialTokens = .bert
        let special = failure(bert, tokenizer: bpe)
        #expect(special?.field == "special_tokens")
        #expect(special?.description.contains("[CLS]") == true)
        // A tokenizer with neither special-token set.
        let llama = try ModelTokenizer(folder: Fixtures.url("tokenizers/bpe-llama/tokenizer.json"))
        #expect(failure(fixture.request, tokenizer: llama)?.field == "tokenizer")
        // LM-BFF's sampling with a policy LM-BFF does not have.
        var nearest = fixture.request
        nearest.sampling = .lmbff
        nearest.policy = .nearest
        let sampling = failure(nearest, tokenizer: bpe)
        #expect(sampling?.field == "sampling")
        #expect(sampling?.description.contains("nearest") == true)
        // A label word that is several tokens.
        var words = fixture.request
        words.labelWords = .mapping(["0": "terrible", "1": "magnificently"])
        #expect(failure(words, tokenizer: bpe)?.field == "label_words")
        // A max length that cuts the mask off.
        var short = fixture.request
        short.maxSeqLength = 4
        let demos = try short.makeDemos(source, tokenizer: bpe)
        let query = demos.query(record: try #require(source.exact.records.first { $0.split == "dev" }).id)
        #expect(throws: DemoError.template(.maskCutOff(maxLength: 4))) { try demos.select(query) }
    }
}
