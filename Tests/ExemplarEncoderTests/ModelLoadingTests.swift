import ExemplarEncoder
import ExemplarTestSupport
import Foundation
import Testing

/// A model folder that is missing, truncated or corrupt gives an `EncoderError` that says
/// what to do, never a crash.
@Suite struct ModelLoadingTests {
    /// A copy of the tiny CLS model's files in a fresh temporary folder, to damage.
    func scratchCopy() throws -> URL {
        let dir = try TemporaryFolder.create("model")
        let model = Fixtures.url("tiny-bert-cls")
        for name in try FileManager.default.contentsOfDirectory(atPath: model.path) {
            try FileManager.default.copyItem(at: model.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        return dir
    }

    func loadError(_ folder: URL) -> EncoderError? {
        do {
            _ = try SentenceEncoder(folder: folder)
            return nil
        } catch {
            return error
        }
    }

    @Test("a truncated model.safetensors is an error at every cut point")
    func truncatedWeights() throws {
        let dir = try scratchCopy()
        defer { TemporaryFolder.remove(dir) }
        let file = dir.appendingPathComponent("model.safetensors")
        let full = try Data(contentsOf: file)
        let headerEnd = 8 + Int(full.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        for cut in [0, 4, 8, 20, headerEnd - 1, headerEnd, headerEnd + 100, full.count / 2, full.count - 1] {
            try full.prefix(cut).write(to: file)
            let error = try #require(loadError(dir), "cut at \(cut) bytes loaded")
            #expect(error.description.contains("model.safetensors"), "\(error)")
        }
        try full.write(to: file)
        #expect(loadError(dir) == nil)
    }

    @Test("the real model truncated is a clear error naming the file")
    func truncatedRealModel() throws {
        let real = try Fixtures.realModelFolder()
        let dir = try TemporaryFolder.create("real")
        defer { TemporaryFolder.remove(dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("1_Pooling"), withIntermediateDirectories: true)
        for name in ["config.json", "modules.json", "tokenizer.json", "sentence_bert_config.json", "1_Pooling/config.json"] {
            try FileManager.default.copyItem(at: real.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        let handle = try FileHandle(forReadingFrom: real.appendingPathComponent("model.safetensors"))
        try handle.readData(ofLength: 5_000_000).write(to: dir.appendingPathComponent("model.safetensors"))
        try handle.close()
        let error = try #require(loadError(dir))
        #expect(error.description.contains("truncated"), "\(error)")
    }

    @Test("a corrupt header, a shape mismatch or a missing tensor is an error")
    func corruptHeader() throws {
        let dir = try scratchCopy()
        defer { TemporaryFolder.remove(dir) }
        let file = dir.appendingPathComponent("model.safetensors")
        let full = try Data(contentsOf: file)
        let headerLength = Int(full.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let header = String(decoding: full[8..<(8 + headerLength)], as: UTF8.self)
        func withHeader(_ newHeader: String) throws {
            var h = Array(newHeader.utf8)
            while h.count < headerLength { h.append(0x20) }
            var data = Data(full.prefix(8))
            data.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(h.count).littleEndian) { Data($0) })
            data.append(contentsOf: h)
            data.append(full[(8 + headerLength)...])
            try data.write(to: file)
        }
        // Not JSON.
        try withHeader(String(repeating: "x", count: headerLength))
        #expect(loadError(dir)?.description.contains("JSON") == true)
        // A tensor renamed away (missing).
        try withHeader(header.replacingOccurrences(of: "embeddings.word_embeddings.weight", with: "embeddings.word_embeddingz.weight"))
        #expect(loadError(dir)?.description.contains("missing") == true)
        // Offsets that disagree with the shape.
        try withHeader(header.replacingOccurrences(of: "\"F32\"", with: "\"F16\""))
        #expect(loadError(dir)?.description.contains("do not match") == true)
        // A header length pointing past the end of the file.
        var huge = full
        huge.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { Data($0) })
        try huge.write(to: file)
        #expect(loadError(dir)?.description.contains("truncated") == true)
    }

    @Test("missing files and bad configs name the file")
    func missingFiles() throws {
        for name in ["config.json", "model.safetensors", "vocab.txt", "1_Pooling/config.json"] {
            let dir = try scratchCopy()
            defer { TemporaryFolder.remove(dir) }
            try FileManager.default.removeItem(at: dir.appendingPathComponent(name))
            let error = try #require(loadError(dir), "loaded without \(name)")
            #expect(error.description.contains(name.hasPrefix("vocab") ? "vocab.txt" : name), "\(error)")
        }
        let dir = try scratchCopy()
        defer { TemporaryFolder.remove(dir) }
        try Data("{\"hidden_size\": 48,".utf8).write(to: dir.appendingPathComponent("config.json"))
        #expect(loadError(dir)?.description.contains("config.json") == true)
        try Data("{\"model_type\": \"bert\", \"hidden_size\": 50, \"num_attention_heads\": 3, \"num_hidden_layers\": 2, \"intermediate_size\": 96, \"vocab_size\": 10}".utf8)
            .write(to: dir.appendingPathComponent("config.json"))
        #expect(loadError(dir)?.description.contains("divisible") == true)
    }

    @Test("a config value of the wrong type names the file and the key's JSON path")
    func wrongTypedKeys() throws {
        let dir = try scratchCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        func damaged(_ name: String, _ original: String, _ replacement: String, _ expected: String) throws {
            let file = dir.appendingPathComponent(name)
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(text.contains(original), "\(name) lacks \(original)")
            try text.replacingOccurrences(of: original, with: replacement).write(to: file, atomically: true, encoding: .utf8)
            defer { try? text.write(to: file, atomically: true, encoding: .utf8) }
            guard case .invalidModelFile(let path, let reason)? = loadError(dir) else {
                Issue.record("\(name) with \(replacement) loaded or failed another way: \(String(describing: loadError(dir)))")
                return
            }
            #expect(path.hasSuffix(name) && reason == expected, "\(path): \(reason)")
        }
        try damaged("config.json", "\"hidden_size\": 48", "\"hidden_size\": \"48\"", "\"hidden_size\" must be an integer")
        try damaged("config.json", "\"layer_norm_eps\": 1e-07", "\"layer_norm_eps\": true", "\"layer_norm_eps\" must be a number")
        try damaged("config.json", "\"hidden_size\": 48,", "", "\"hidden_size\" is missing")
        try damaged("modules.json", "\"path\": \"1_Pooling\"", "\"path\": 1", "\"[1].path\" must be a string")
        try damaged("1_Pooling/config.json", "\"pooling_mode\": \"cls\"", "\"pooling_mode\": 3", "\"pooling_mode\" must be a mode name or a list of them")
        try damaged("1_Pooling/config.json", "\"pooling_mode\": \"cls\"", "\"pooling_mode_cls_token\": 1",
                    "\"pooling_mode_cls_token\" must be true or false")
        #expect(loadError(dir) == nil)
    }

    @Test("tokenizer.json errors name the JSON path inside it")
    func tokenizerJSONPaths() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exemplar-tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tokenizer.json")
        func loadError(_ json: String) throws -> EncoderError? {
            try Data(json.utf8).write(to: file)
            do {
                _ = try Tokenizer.load(folder: dir, maxLength: 16)
                return nil
            } catch {
                return error
            }
        }
        let model = #""model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "a": 3}}"#
        #expect(try loadError(#"{"model": {"type": "WordPiece", "vocab": [1]}}"#)
            == .invalidModelFile(path: file.path, reason: #""model.vocab" must be an object of token ids"#))
        #expect(try loadError(#"{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0, "a": "1"}}}"#)
            == .invalidModelFile(path: file.path, reason: #"vocabulary entry "a" has no integer id"#))
        #expect(try loadError(#"{"model": {"type": "WordPiece", "unk_token": 0, "vocab": {"[UNK]": 0}}}"#)
            == .invalidModelFile(path: file.path, reason: #""model.unk_token" must be a string"#))
        #expect(try loadError("{\(model), \"normalizer\": {\"type\": \"BertNormalizer\", \"lowercase\": \"yes\"}}")
            == .invalidModelFile(path: file.path, reason: #""normalizer.lowercase" must be true or false"#))
        #expect(try loadError("{\(model), \"normalizer\": {\"type\": \"BertNormalizer\"}}") == nil)
        #expect(try loadError("{\(model),}")?.description.contains("not valid JSON") == true)
    }

    @Test("no model folder: the error prints the command that fetches it")
    func locator() throws {
        let missing = "/nonexistent/exemplar-model"
        #expect(throws: EncoderError.modelNotFound(searched: [missing], fetchCommand: ModelLocator.fetchCommand)) {
            try ModelLocator.locate(explicit: missing)
        }
        #expect(throws: EncoderError.self) {
            try ModelLocator.locate(explicit: nil, environment: ["EXEMPLAR_MODEL": missing])
        }
        let defaultFolder = ModelLocator.defaultFolder(environment: ["XDG_CACHE_HOME": "/x"])
        #expect(defaultFolder.path == "/x/exemplar/all-MiniLM-L6-v2")
        #expect(EncoderError.modelNotFound(searched: [missing], fetchCommand: "scripts/fetch-model").description.contains("scripts/fetch-model"))
    }
}
