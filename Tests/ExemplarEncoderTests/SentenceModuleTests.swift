import ExemplarEncoder
import ExemplarTestSupport
import Foundation
import Testing

/// Dense modules, last-token / weighted-mean pooling, include_prompt, prompts and Matryoshka
/// dimensions against sentence-transformers (references by scripts/make-st-fixtures.py).
@Suite struct SentenceModuleTests {
    struct Case {
        let name: String
        let options: EmbeddingOptions
        let ids: [[Int32]]
        let vectors: String
    }

    static func load(_ folder: String) throws -> (texts: [String], cases: [Case]) {
        let data = try Data(contentsOf: Fixtures.url("st/\(folder)/reference.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let texts = try #require(root["texts"] as? [String])
        let cases = try #require(root["cases"] as? [[String: Any]]).map { c in
            Case(name: c["name"] as! String,
                 options: EmbeddingOptions(promptName: c["prompt_name"] as? String, prompt: c["prompt"] as? String,
                                           dimensions: c["dimensions"] as? Int),
                 ids: (c["ids"] as! [[Int]]).map { $0.map { Int32($0) } }, vectors: c["vectors"] as! String)
        }
        return (texts, cases)
    }

    @Test("ids and vectors match sentence-transformers (cosine >= 0.99999) for every case",
          arguments: ["dense", "prompts", "lasttoken", "weightedmean", "include-prompt"])
    func parity(_ folder: String) throws {
        let base = try SentenceEncoder(folder: Fixtures.url("st/\(folder)"))
        let (texts, cases) = try Self.load(folder)
        #expect(texts.count >= 20 && !cases.isEmpty)
        for c in cases {
            let encoder = base.with(try base.settings(for: c.options))
            let ids = texts.map(encoder.tokenize)
            #expect(ids == c.ids, "\(folder)/\(c.name): token ids differ")
            let (shape, expected) = try Fixtures.matrix("st/\(folder)/\(c.vectors)")
            try #require(shape == [texts.count, encoder.dimension], "\(folder)/\(c.name): shape \(shape), ours \(encoder.dimension)")
            let ours = encoder.encode(texts, batchSize: 5, threads: 2)
            let worst = expectRowsMatch(ours, expected, width: shape[1]) {
                "\(folder)/\(c.name) sentence \($0) \(String(reflecting: texts[$0]))"
            }.worstCosine
            print("st parity \(folder)/\(c.name): \(texts.count) sentences, dimension \(shape[1]), worst cosine \(worst)")
        }
    }

    @Test("the model's prompts, default prompt and truncate_dim are read; identity records them")
    func promptConfig() throws {
        let encoder = try SentenceEncoder(folder: Fixtures.url("st/prompts"))
        #expect(encoder.modelConfig.defaultPromptName == "query")
        #expect(encoder.modelConfig.prompt(named: "passage") == "passage: ")
        #expect(encoder.settings.prompt == "query: " && encoder.settings.promptName == "query")
        #expect(encoder.dimension == 16 && encoder.moduleDimension == 32)
        let identity = try encoder.identity()
        #expect(identity.prompt == "query: " && identity.dimension == 16 && identity.truncatedFrom == 32)
        #expect(identity.cacheHash != identity.weightsSHA256)
        let plain = try encoder.with(encoder.settings(for: EmbeddingOptions(prompt: "", dimensions: 32))).identity()
        #expect(plain.prompt == nil && plain.truncatedFrom == nil && plain.cacheHash == plain.weightsSHA256)
        #expect(plain.sameModel(as: identity) && plain != identity)
    }

    @Test("bad options name the option and what is allowed")
    func badOptions() throws {
        let encoder = try SentenceEncoder(folder: Fixtures.url("st/prompts"))
        #expect(throws: EmbeddingOptionsError.self) { try encoder.settings(for: EmbeddingOptions(dimensions: 33)) }
        #expect(throws: EmbeddingOptionsError.self) { try encoder.settings(for: EmbeddingOptions(dimensions: 0)) }
        do {
            _ = try encoder.settings(for: EmbeddingOptions(promptName: "question"))
            Issue.record("an unknown prompt name was accepted")
        } catch {
            #expect(error.field == "prompt_name")
            #expect(error.description(naming: \.option).contains("--prompt-name \"question\""))
            #expect(error.description.contains("\"passage\", \"query\""))
        }
        #expect(throws: EmbeddingOptionsError.self) { try encoder.settings(for: EmbeddingOptions(promptName: "query", prompt: "x")) }
        let plain = try SentenceEncoder(folder: Fixtures.url("tiny-bert-max"))
        do {
            _ = try plain.settings(for: EmbeddingOptions(promptName: "query"))
            Issue.record("a prompt name was accepted for a model without prompts")
        } catch {
            #expect(error.description.contains("has no prompts"))
        }
    }

    @Test("an unsupported module, activation or a .bin-only Dense folder is an error naming the file")
    func unsupportedModules() throws {
        let scratch = try TemporaryFolder.create("st-modules")
        defer { TemporaryFolder.remove(scratch) }
        let model = scratch.appendingPathComponent("m")
        try FileManager.default.copyItem(at: Fixtures.url("st/dense"), to: model)
        let modules = model.appendingPathComponent("modules.json")
        let original = try String(contentsOf: modules, encoding: .utf8)
        try original.replacingOccurrences(of: "sentence_transformers.base.modules.dense.Dense", with: "sentence_transformers.models.LayerNorm")
            .write(to: modules, atomically: true, encoding: .utf8)
        #expect(throws: EncoderError.self) { try SentenceEncoder(folder: model) }
        do { _ = try SentenceEncoder(folder: model) } catch {
            #expect("\(error)".contains("modules.json") && "\(error)".contains("LayerNorm") && "\(error)".contains("Dense"))
        }
        try original.write(to: modules, atomically: true, encoding: .utf8)
        let dense = model.appendingPathComponent("2_Dense/config.json")
        let config = try String(contentsOf: dense, encoding: .utf8)
        try config.replacingOccurrences(of: "activation.Tanh", with: "activation.Softsign").write(to: dense, atomically: true, encoding: .utf8)
        do { _ = try SentenceEncoder(folder: model); Issue.record("Softsign loaded") } catch {
            #expect("\(error)".contains("2_Dense/config.json") && "\(error)".contains("Softsign"))
        }
        try config.write(to: dense, atomically: true, encoding: .utf8)
        let weights = model.appendingPathComponent("2_Dense/model.safetensors")
        try FileManager.default.moveItem(at: weights, to: model.appendingPathComponent("2_Dense/pytorch_model.bin"))
        do { _ = try SentenceEncoder(folder: model); Issue.record("a .bin-only Dense loaded") } catch {
            #expect("\(error)".contains("pytorch_model.bin") && "\(error)".contains("safetensors"))
        }
    }
}
