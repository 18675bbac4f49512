@testable import ExemplarEncoder
import ExemplarKernels
import ExemplarTestSupport
import Foundation
import Testing

/// RoBERTa, XLM-RoBERTa and MPNet against sentence-transformers: tiny random models with
/// reference ids and vectors made by scripts/make-model-fixtures.py.
@Suite struct ArchitectureParityTests {
    static let folders = ["tiny-roberta", "tiny-xlm-roberta", "tiny-mpnet"]

    /// Mean pooling + Normalize (the fixtures' modules) of each sequence of one packed forward pass.
    func embed(_ model: BertModel, _ batch: [[Int32]]) -> [[Float]] {
        let (hidden, offsets) = model.forward(batch)
        let h = model.config.hiddenSize
        return hidden.withUnsafeBufferPointer { hb in
            batch.indices.map { s in
                var v = [Float](repeating: 0, count: h)
                v.withUnsafeMutableBufferPointer { vb in
                    Pooling().pool(hb.baseAddress! + offsets[s] * h, count: batch[s].count, width: h, into: vb.baseAddress!)
                }
                Vectors.normalize(&v)
                return v
            }
        }
    }

    @Test("vectors from sentence-transformers' ids match its vectors, packed in batches of mixed lengths",
          arguments: folders)
    func vectorsFromReferenceIDs(_ folder: String) throws {
        let model = try BertModel.load(folder: Fixtures.url(folder))
        let references = try Fixtures.references(folder + "/reference.jsonl")
        let (shape, expected) = try Fixtures.matrix(folder + "/reference.npy")
        try #require(shape == [references.count, model.config.hiddenSize] && references.count >= 100)
        #expect(references.contains { $0.ids.count == model.config.maxSequenceLength }, "some sentence truncates")
        let ids = references.map(\.ids)
        // Batches of 7 in file order (mixed lengths), and everything in one packed batch.
        var batched: [[Float]] = []
        for start in stride(from: 0, to: ids.count, by: 7) {
            batched += embed(model, Array(ids[start..<min(start + 7, ids.count)]))
        }
        let together = embed(model, ids)
        var worstCosine = 1.0, worstAbs = 0.0
        for i in ids.indices {
            let theirs = expected[(i * shape[1])..<((i + 1) * shape[1])]
            for ours in [batched[i], together[i]] {
                let (cosine, maxAbs) = compare(ours[...], theirs)
                worstCosine = min(worstCosine, cosine)
                worstAbs = max(worstAbs, maxAbs)
                #expect(cosine >= 0.99999 && maxAbs <= 1e-4,
                        "\(folder) sentence \(i) \(String(reflecting: references[i].text)): cosine \(cosine), max abs \(maxAbs)")
            }
        }
        print("parity \(folder) from reference ids: \(ids.count) sentences, worst cosine \(worstCosine), worst max abs \(worstAbs)")
    }

    @Test("text to ids and vectors as sentence-transformers, through SentenceEncoder(folder:)", arguments: folders)
    func endToEnd(_ folder: String) throws {
        let encoder = try SentenceEncoder(folder: Fixtures.url(folder))
        let expectedArchitecture: [String: (EncoderArchitecture, String)] = [
            "tiny-roberta": (.roberta, "roberta"), "tiny-xlm-roberta": (.xlmRoberta, "xlm-roberta"), "tiny-mpnet": (.mpnet, "mpnet"),
        ]
        let (architecture, modelType) = try #require(expectedArchitecture[folder])
        #expect(encoder.model.config.architecture == architecture && encoder.architecture == modelType)
        #expect(encoder.tokenizer.maxLength == encoder.model.config.maxSequenceLength)
        let references = try Fixtures.references(folder + "/reference.jsonl")
        try #require(references.count >= 100)
        var differing = 0
        for ref in references {
            let ids = encoder.tokenize(ref.text)
            if ids != ref.ids { differing += 1 }
            #expect(ids == ref.ids, "\(folder): ids differ for \(String(reflecting: ref.text)): \(ids) vs \(ref.ids)")
        }
        #expect(references.contains { $0.ids.count == encoder.tokenizer.maxLength }, "some sentence truncates")
        let (shape, expected) = try Fixtures.matrix(folder + "/reference.npy")
        try #require(shape == [references.count, encoder.dimension])
        let ours = encoder.encode(references.map(\.text), batchSize: 5, threads: 2)
        let (worstCosine, worstAbs) = expectRowsMatch(ours, expected, width: shape[1]) { "\(folder) sentence \($0)" }
        print("parity \(folder) from text: \(references.count) sentences, ids differing \(differing), worst cosine \(worstCosine), worst max abs \(worstAbs)")
    }

    @Test("MPNet's relative position buckets equal transformers' for key - query in -600...600")
    func mpnetBuckets() throws {
        let data = try Data(contentsOf: Fixtures.url("tiny-mpnet/buckets.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [Int]])
        let relative = try #require(object["relative"]), bucket = try #require(object["bucket"])
        try #require(relative.count == 1201 && bucket.count == 1201)
        for (r, b) in zip(relative, bucket) {
            #expect(RelativePositionBias.bucket(r) == b, "relative \(r)")
        }
    }

    @Test("position ids: BERT from 0; RoBERTa family from padding_idx + 1, a padding id keeps padding_idx")
    func positions() throws {
        let roberta = try BertModel.load(folder: Fixtures.url("tiny-roberta")).config
        #expect(roberta.architecture == .roberta && roberta.paddingIndex == 1)
        #expect(roberta.maxSequenceLength == 64)  // 66 position embeddings
        #expect(roberta.positions(of: [0, 7, 1, 9, 2]) == [2, 3, 1, 4, 5])
        let xlmr = try BertModel.load(folder: Fixtures.url("tiny-xlm-roberta")).config
        #expect(xlmr.architecture == .xlmRoberta && xlmr.maxSequenceLength == 128)
        let bert = try BertModel.load(folder: Fixtures.url("tiny-bert-cls")).config
        #expect(bert.positions(of: [2, 0, 5, 3]) == [0, 1, 2, 3] && bert.maxSequenceLength == 128)
    }
}

/// Folders this encoder cannot run are errors that name the file and what to do.
@Suite struct ArchitectureErrorTests {
    func copy(_ fixture: String) throws -> URL {
        let dir = try TemporaryFolder.create("arch")
        let source = Fixtures.url(fixture)
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        return dir
    }

    func editConfig(_ dir: URL, _ edit: (inout String) -> Void) throws {
        let url = dir.appendingPathComponent("config.json")
        var text = try String(contentsOf: url, encoding: .utf8)
        edit(&text)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func loadError(_ dir: URL) -> EncoderError? {
        do {
            _ = try BertModel.load(folder: dir)
            return nil
        } catch {
            return error
        }
    }

    @Test("an unsupported model_type names config.json, the type and the supported ones")
    func unsupportedType() throws {
        let dir = try copy("tiny-mpnet")
        defer { TemporaryFolder.remove(dir) }
        try editConfig(dir) { $0 = $0.replacingOccurrences(of: "\"mpnet\"", with: "\"deberta-v2\"") }
        let error = try #require(loadError(dir))
        #expect(error.description.contains("config.json") && error.description.contains("deberta-v2")
                && error.description.contains("xlm-roberta"), "\(error)")
        #expect(error.exitCode == 2)
    }

    @Test("MPNet with fewer than 32 relative attention buckets is refused")
    func tooFewBuckets() throws {
        let dir = try copy("tiny-mpnet")
        defer { TemporaryFolder.remove(dir) }
        try editConfig(dir) {
            $0 = $0.replacingOccurrences(of: "\"relative_attention_num_buckets\": 32", with: "\"relative_attention_num_buckets\": 16")
        }
        let error = try #require(loadError(dir))
        #expect(error.description.contains("relative_attention_num_buckets 16"), "\(error)")
    }

    @Test("a folder with pytorch_model.bin and no model.safetensors names the conversion")
    func binOnly() throws {
        let dir = try copy("tiny-mpnet")
        defer { TemporaryFolder.remove(dir) }
        try FileManager.default.moveItem(at: dir.appendingPathComponent("model.safetensors"),
                                         to: dir.appendingPathComponent("pytorch_model.bin"))
        var errors = [loadError(dir)]
        do { _ = try SentenceEncoder(folder: dir) } catch { errors.append(error) }
        #expect(errors.count == 2)
        for error in errors {
            let e = try #require(error)
            #expect(e.description.contains("pytorch_model.bin") && e.description.contains("safe_serialization=True"), "\(e)")
        }
    }

    /// A copy of `fixture` whose model.safetensors names every tensor with `prefix` in front
    /// (as `…ForMaskedLM` checkpoints do); the data bytes are unchanged.
    func prefixed(_ fixture: String, _ prefix: String) throws -> URL {
        let dir = try copy(fixture)
        let url = dir.appendingPathComponent("model.safetensors")
        let bytes = try Data(contentsOf: url)
        let headerLength = Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        var header = try #require(try JSONSerialization.jsonObject(with: bytes[8..<(8 + headerLength)]) as? [String: Any])
        for key in Array(header.keys) where key != "__metadata__" {
            header[prefix + key] = header.removeValue(forKey: key)
        }
        let newHeader = try JSONSerialization.data(withJSONObject: header)
        var out = Data()
        withUnsafeBytes(of: UInt64(newHeader.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(newHeader)
        out.append(bytes[(8 + headerLength)...])
        try out.write(to: url)
        return dir
    }

    @Test("tensor names with the base model's prefix (roberta., mpnet.) load and run the same")
    func prefixedNames() throws {
        for (fixture, prefix) in [("tiny-roberta", "roberta."), ("tiny-xlm-roberta", "roberta."), ("tiny-mpnet", "mpnet.")] {
            let dir = try prefixed(fixture, prefix)
            defer { TemporaryFolder.remove(dir) }
            let names = try SafeTensorsFile(path: dir.appendingPathComponent("model.safetensors").path).tensors.keys
            #expect(names.contains(prefix + "embeddings.word_embeddings.weight") && !names.contains("embeddings.word_embeddings.weight"))
            let plain = try BertModel.load(folder: Fixtures.url(fixture))
            let renamed = try BertModel.load(folder: dir)
            let ids: [[Int32]] = [[0, 5, 9, 17, 2], [0, 2]]
            #expect(plain.forward(ids).hidden == renamed.forward(ids).hidden, "\(fixture)")
        }
    }

    @Test("a tensor under MPNet's names missing is an error naming it")
    func missingTensor() throws {
        let dir = try copy("tiny-mpnet")
        defer { TemporaryFolder.remove(dir) }
        try editConfig(dir) { $0 = $0.replacingOccurrences(of: "\"num_hidden_layers\": 2", with: "\"num_hidden_layers\": 3") }
        let error = try #require(loadError(dir))
        #expect(error.description.contains("encoder.layer.2.attention"), "\(error)")
    }
}
