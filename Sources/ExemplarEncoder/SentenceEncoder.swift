import ExemplarJSON
import Foundation
import Dispatch
import Synchronization
import ExemplarKernels

/// A sentence-transformers BERT model loaded from its folder: text in, sentence vectors out.
///
/// Loads `modules.json` (Transformer → Pooling → Dense … → optional Normalize), the Transformer's
/// `config.json`, `model.safetensors` (memory-mapped), the tokenizer,
/// `sentence_bert_config.json` and `config_sentence_transformers.json` (prompts, default
/// prompt, `truncate_dim`). Output matches sentence-transformers' `encode`; `settings` (a
/// prompt and a dimension, `with(_:)`) apply to `tokenize`, `encode` and `dimension`.
public struct SentenceEncoder: Sendable {
    public let folder: URL
    public let tokenizer: Tokenizer
    public let model: BertModel
    public let pooling: Pooling
    /// Dense modules after pooling, in modules.json's order.
    public let dense: [DenseLayer]
    /// Whether vectors are L2-normalized (a Normalize module in modules.json).
    public let normalize: Bool
    /// The folder's `config_sentence_transformers.json`: prompts, default prompt, `truncate_dim`.
    public let modelConfig: SentenceTransformerConfig
    /// config.json's `model_type` (`bert`, ...).
    public let architecture: String
    /// The prompt and dimension this encoder embeds with (the model's defaults unless `with(_:)` set others).
    public internal(set) var settings: EmbeddingSettings
    /// The weights file (`model.safetensors`), whose hash identifies the model.
    public let weightsURL: URL
    /// Length of each sentence vector (`settings.dimension`).
    public var dimension: Int { settings.dimension }
    /// Length of the vectors the modules give, before any Matryoshka truncation.
    public var moduleDimension: Int { dense.last?.outFeatures ?? model.config.hiddenSize * pooling.modeCount }

    /// The dense layers' arithmetic this encoder runs (`Precision.available` of what was asked).
    public var precision: Precision { model.precision }

    /// Loads the model in `folder`; a `precision` other than fp32 quantises or rounds the dense
    /// layers once here (where the CPU lacks what it needs it falls back to fp32: see `precision`).
    public init(folder: URL, precision: Precision = .fp32) throws(EncoderError) {
        self.folder = folder
        var transformerDir = folder
        var poolingDir: URL?
        var denseDirs: [URL] = []
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
                let kind = type.split(separator: ".").last.map(String.init) ?? type
                if normalize && kind != "Normalize" {
                    throw .unsupported(path: path, reason: "module \(type) after Normalize; only Normalize may come last")
                }
                switch kind {
                case "Transformer", "BERT": transformerDir = sub
                case "Pooling": poolingDir = sub
                case "Dense": denseDirs.append(sub)
                case "Normalize": normalize = true
                default:
                    throw .unsupported(path: path, reason: "module \(type) is not implemented (supported: Transformer, Pooling, Dense, Normalize)")
                }
            }
        }
        let config = try BertConfig.load(transformerDir.appendingPathComponent("config.json"))
        architecture = try JSONFile.read(transformerDir.appendingPathComponent("config.json")).string("model_type") ?? "bert"
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
        let tokenizer = try Tokenizer.load(folder: transformerDir, maxLength: maxLength,
                                               lowercaseInput: (try stConfig?.bool("do_lower_case")) ?? false)
        let largestID = tokenizer.largestID
        guard largestID < config.vocabSize else {
            throw .invalidModelFile(path: transformerDir.path, reason: "tokenizer has id \(largestID) but config.json's vocab_size is \(config.vocabSize)")
        }
        weightsURL = try WeightsFile.locate(transformerDir)
        let file = try SafeTensorsFile(path: weightsURL.path)
        self.model = BertModel(config: config, weights: try BertWeights(file: file, config: config), precision: precision)
        self.tokenizer = tokenizer
        self.pooling = pooling
        self.normalize = normalize
        self.dense = try Self.loadDense(denseDirs, input: config.hiddenSize * pooling.modeCount)
        self.modelConfig = try SentenceTransformerConfig.load(folder: folder)
        self.settings = EmbeddingSettings(dimension: 1)
        do {
            self.settings = try settings(for: EmbeddingOptions())
        } catch {
            throw .invalidModelFile(path: folder.appendingPathComponent("config_sentence_transformers.json").path, reason: error.description)
        }
    }

    private static func tokenizerLimit(_ dir: URL) throws(EncoderError) -> Int? {
        if let file = try JSONFile.readIfPresent(dir.appendingPathComponent("tokenizer.json")),
           let truncation = try file.object("truncation"), let n = try truncation.int("max_length") {
            return n
        }
        return try JSONFile.readIfPresent(dir.appendingPathComponent("tokenizer_config.json"))?.int("model_max_length")
    }

    /// Pooling modes in words (plus `dense` layers), for manifests and `info`.
    public var poolingDescription: String {
        pooling.description + dense.map { " + dense \($0.inFeatures)→\($0.outFeatures)" }.joined()
    }

    /// The token ids the model sees for `text` (the prompt of `settings` first), special tokens (`[CLS]`, `<s>`, ...) included.
    public func tokenize(_ text: String) -> [Int32] {
        tokenizer.encode(settings.apply(to: text))
    }

    /// Sentence vectors of already tokenized sequences, computed as one batch: pooling (leaving
    /// out `promptTokens[s]` tokens of sequence `s` when the model's `include_prompt` is false;
    /// default `settings.promptTokens` each), Dense modules, Normalize, then the first
    /// `settings.dimension` components (normalised again when the model normalises).
    /// `threads`: cores the dense layers may split their outputs across (one batch, one caller).
    public func embed(tokenized batch: [[Int32]], promptTokens: [Int]? = nil, threads: Int = 1) -> [[Float]] {
        let (hidden, offsets) = model.forward(batch, threads: threads)
        let h = model.config.hiddenSize, pooled = h * pooling.modeCount
        var rows = [Float](repeating: 0, count: batch.count * pooled)
        hidden.withUnsafeBufferPointer { hb in
            rows.withUnsafeMutableBufferPointer { rb in
                for s in 0..<batch.count {
                    let skip = pooling.includePrompt ? 0 : (promptTokens?[s] ?? settings.promptTokens)
                    pooling.pool(hb.baseAddress! + offsets[s] * h, count: batch[s].count, width: h, skip: skip,
                                 into: rb.baseAddress! + s * pooled)
                }
            }
        }
        for layer in dense { rows = layer.apply(rows, rows: batch.count) }
        let width = moduleDimension
        return (0..<batch.count).map { s in
            var v = Array(rows[(s * width)..<((s + 1) * width)])
            if normalize { Vectors.normalize(&v) }  // sentence-transformers' Normalize
            return truncated(v, to: settings.dimension)
        }
    }

    /// Embeds `texts`, in their order.
    ///
    /// Texts are tokenized, sorted by length and cut into batches of `batchSize`, so a batch
    /// holds sequences of similar length; `threads` workers each run whole batches (OpenBLAS
    /// gets the threads left over when there are fewer batches than workers).
    /// `progress` is called with the number of texts done after each batch.
    public func encode(_ texts: [String], batchSize: Int = 32, threads: Int = SentenceEncoder.defaultThreads,
                       progress: (@Sendable (Int) -> Void)? = nil) -> Embeddings {
        encode(tokenized: texts.map(tokenize), batchSize: batchSize, threads: threads, progress: progress)
    }

    /// Embeds already tokenized texts (`tokenize`'s output), in their order, as `encode` does:
    /// sorted by length, cut into batches of `batchSize`, `threads` workers running whole batches.
    /// With `interleaved`, the sorted texts are dealt round-robin to the batches instead, so
    /// batches carry about the same number of tokens: better when there are only as many
    /// batches as threads (one merged request batch split across cores). `promptTokens` gives
    /// each text's prompt length in tokens (default: `settings.promptTokens` for all).
    public func encode(tokenized ids: [[Int32]], promptTokens: [Int]? = nil, batchSize: Int = 32,
                       threads: Int = SentenceEncoder.defaultThreads,
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
        // Packed dense layers split across the threads themselves (`forward(threads:)`), and the
        // only sgemm calls left are attention's tiny per-head products: OpenBLAS threads would
        // only spin there, taking the core from the next request's search.
        BLAS.setThreads(model.packed != nil ? 1 : max(1, threads / workers))

        let output = Mutex([Float](repeating: 0, count: ids.count * dim))
        let next = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let b = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard b < batches.count else { return }
                let vectors = embed(tokenized: batches[b].map { ids[$0] }, promptTokens: promptTokens.map { p in batches[b].map { p[$0] } },
                                    threads: max(1, threads / workers))
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

    /// Dense modules chained from the pooled width `input`; each must take the previous one's output.
    private static func loadDense(_ dirs: [URL], input: Int) throws(EncoderError) -> [DenseLayer] {
        var layers: [DenseLayer] = []
        var width = input
        for dir in dirs {
            let layer = try DenseLayer.load(dir)
            guard layer.inFeatures == width else {
                throw .invalidModelFile(path: dir.appendingPathComponent("config.json").path, reason: "in_features is \(layer.inFeatures) but the module before it gives \(width)")
            }
            layers.append(layer)
            width = layer.outFeatures
        }
        return layers
    }

    /// All cores of this machine.
    public static var defaultThreads: Int { ProcessInfo.processInfo.activeProcessorCount }
}
