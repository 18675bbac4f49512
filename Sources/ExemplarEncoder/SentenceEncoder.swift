import ExemplarJSON
import Foundation
import Dispatch
import Synchronization
import ExemplarKernels

/// A sentence-transformers BERT model loaded from its folder: text in, sentence vectors out.
///
/// Loads `modules.json` (Transformer → Pooling → optional Normalize), the Transformer's
/// `config.json`, `model.safetensors` (memory-mapped), the tokenizer and
/// `sentence_bert_config.json`. Output matches sentence-transformers' `encode`.
public struct SentenceEncoder: Sendable {
    public let folder: URL
    public let tokenizer: BertTokenizer
    public let model: BertModel
    public let pooling: Pooling
    /// Whether vectors are L2-normalized (a Normalize module in modules.json).
    public let normalize: Bool
    /// The weights file (`model.safetensors`), whose hash identifies the model.
    public let weightsURL: URL
    /// Length of each sentence vector.
    public var dimension: Int { model.config.hiddenSize * pooling.modeCount }

    public init(folder: URL) throws(EncoderError) {
        self.folder = folder
        var transformerDir = folder
        var poolingDir: URL?
        var normalize = false
        let modulesURL = folder.appendingPathComponent("modules.json")
        if FileManager.default.fileExists(atPath: modulesURL.path) {
            let path = modulesURL.path
            guard let modules = try JSONFile.document(modulesURL).arrayValue else {
                throw .invalidModelFile(path: path, reason: "expected a JSON array of modules")
            }
            for (i, value) in modules.enumerated() {
                guard case .object = value else {
                    throw .invalidModelFile(path: path, reason: "expected a JSON array of modules; \"[\(i)]\" is not an object")
                }
                let module = JSONFile(path: path, reader: JSONReader(value: value, path: "[\(i)]"))
                let type = try module.string("type") ?? ""
                let sub = folder.appendingPathComponent(try module.string("path") ?? "")
                switch type.split(separator: ".").last.map(String.init) ?? type {
                case "Transformer", "BERT": transformerDir = sub
                case "Pooling": poolingDir = sub
                case "Normalize": normalize = true
                default:
                    throw .unsupported(path: path, reason: "module \(type) is not implemented (supported: Transformer, Pooling, Normalize)")
                }
            }
        }
        let config = try BertConfig.load(transformerDir.appendingPathComponent("config.json"))
        var pooling = Pooling()
        if let poolingDir { pooling = try Pooling.load(poolingDir.appendingPathComponent("config.json")) }

        let stConfig = try JSONFile.readIfPresent(transformerDir.appendingPathComponent("sentence_bert_config.json"))
        var maxLength = config.maxSequenceLength
        if let n = try stConfig?.int("max_seq_length") {
            maxLength = n
        } else if let n = try Self.tokenizerLimit(transformerDir) {
            maxLength = n
        }
        maxLength = min(maxLength, config.maxSequenceLength)
        let tokenizer = try BertTokenizer.load(folder: transformerDir, maxLength: maxLength,
                                               lowercaseInput: (try stConfig?.bool("do_lower_case")) ?? false)
        let largestID = max(tokenizer.wordPiece.vocab.values.max() ?? 0,
                            tokenizer.specialTokens.map(\.id).max() ?? 0)
        guard largestID < config.vocabSize else {
            throw .invalidModelFile(path: transformerDir.path, reason: "tokenizer has id \(largestID) but config.json's vocab_size is \(config.vocabSize)")
        }
        weightsURL = try WeightsFile.locate(transformerDir)
        let file = try SafeTensorsFile(path: weightsURL.path)
        self.model = BertModel(config: config, weights: try BertWeights(file: file, config: config))
        self.tokenizer = tokenizer
        self.pooling = pooling
        self.normalize = normalize
    }

    private static func tokenizerLimit(_ dir: URL) throws(EncoderError) -> Int? {
        if let file = try JSONFile.readIfPresent(dir.appendingPathComponent("tokenizer.json")),
           let truncation = try file.object("truncation"), let n = try truncation.int("max_length") {
            return n
        }
        return try JSONFile.readIfPresent(dir.appendingPathComponent("tokenizer_config.json"))?.int("model_max_length")
    }

    /// Pooling modes and normalization in words, for manifests and `info`.
    public var poolingDescription: String {
        var modes: [String] = []
        if pooling.cls { modes.append("cls") }
        if pooling.max { modes.append("max") }
        if pooling.mean { modes.append("mean") }
        if pooling.meanSqrtLen { modes.append("mean_sqrt_len") }
        return modes.joined(separator: "+")
    }

    /// The token ids the model sees for `text`, `[CLS]` and `[SEP]` included.
    public func tokenize(_ text: String) -> [Int32] {
        tokenizer.encode(text)
    }

    /// Sentence vectors of already tokenized sequences, computed as one batch.
    public func embed(tokenized batch: [[Int32]]) -> [[Float]] {
        let (hidden, offsets) = model.forward(batch)
        let h = model.config.hiddenSize, dim = dimension
        var out: [[Float]] = []
        out.reserveCapacity(batch.count)
        hidden.withUnsafeBufferPointer { hb in
            for s in 0..<batch.count {
                var v = [Float](repeating: 0, count: dim)
                v.withUnsafeMutableBufferPointer { vb in
                    pooling.pool(hb.baseAddress! + offsets[s] * h, count: batch[s].count, width: h, into: vb.baseAddress!)
                }
                if normalize { Vectors.normalize(&v) }  // sentence-transformers' Normalize
                out.append(v)
            }
        }
        return out
    }

    /// Embeds `texts`, in their order.
    ///
    /// Texts are tokenized, sorted by length and cut into batches of `batchSize`, so a batch
    /// holds sequences of similar length; `threads` workers each run whole batches (OpenBLAS
    /// gets the threads left over when there are fewer batches than workers).
    /// `progress` is called with the number of texts done after each batch.
    public func encode(_ texts: [String], batchSize: Int = 32, threads: Int = SentenceEncoder.defaultThreads,
                       progress: (@Sendable (Int) -> Void)? = nil) -> Embeddings {
        encode(tokenized: texts.map(tokenizer.encode), batchSize: batchSize, threads: threads, progress: progress)
    }

    /// Embeds already tokenized texts (`tokenize`'s output), in their order, as `encode` does:
    /// sorted by length, cut into batches of `batchSize`, `threads` workers running whole batches.
    /// With `interleaved`, the sorted texts are dealt round-robin to the batches instead, so
    /// batches carry about the same number of tokens: better when there are only as many
    /// batches as threads (one merged request batch split across cores).
    public func encode(tokenized ids: [[Int32]], batchSize: Int = 32, threads: Int = SentenceEncoder.defaultThreads,
                       interleaved: Bool = false, progress: (@Sendable (Int) -> Void)? = nil) -> Embeddings {
        let dim = dimension
        let order = ids.indices.sorted { ids[$0].count != ids[$1].count ? ids[$0].count > ids[$1].count : $0 < $1 }
        let size = max(1, batchSize)
        var contiguous = stride(from: 0, to: order.count, by: size).map { Array(order[$0..<min($0 + size, order.count)]) }
        if interleaved && contiguous.count > 1 {
            var dealt = [[Int]](repeating: [], count: contiguous.count)
            for (i, index) in order.enumerated() { dealt[i % dealt.count].append(index) }
            contiguous = dealt
        }
        let batches = contiguous
        let workers = max(1, min(threads, batches.count))
        BLAS.setThreads(max(1, threads / workers))

        let output = Mutex([Float](repeating: 0, count: ids.count * dim))
        let next = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let b = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard b < batches.count else { return }
                let vectors = embed(tokenized: batches[b].map { ids[$0] })
                output.withLock { out in
                    for (row, index) in batches[b].enumerated() {
                        out.replaceSubrange((index * dim)..<((index + 1) * dim), with: vectors[row])
                    }
                }
                let finished = done.wrappingAdd(batches[b].count, ordering: .relaxed).newValue
                progress?(finished)
            }
        }
        return Embeddings(count: ids.count, dimension: dim, values: output.withLock { $0 })
    }

    /// All cores of this machine.
    public static var defaultThreads: Int { ProcessInfo.processInfo.activeProcessorCount }
}
