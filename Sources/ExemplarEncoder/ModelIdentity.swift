import ExemplarCore
import Foundation

/// What identifies a model's vectors: an index built with one model opens only with the
/// same one. Build, query, demos and serve all compare this one value.
public struct ModelIdentity: Sendable, Equatable {
    /// The model folder's name.
    public var name: String
    /// SHA-256 of the weights file.
    public var weightsSHA256: String
    /// Length of the vectors (after any Matryoshka truncation).
    public var dimension: Int
    /// Pooling modes, e.g. `mean` or `cls+max`.
    public var pooling: String
    public var normalized: Bool
    public var maxSeqLength: Int
    /// config.json's `model_type` (`bert` in manifests written before it was recorded).
    public var architecture: String = "bert"
    /// The prompt put before every text, and its name among the model's prompts (nil: none).
    public var promptName: String?
    public var prompt: String?
    /// The model's own dimension when `dimension` is a truncation of it (nil: not truncated).
    public var truncatedFrom: Int?
    /// The dense layers' arithmetic the vectors were computed in (`Precision`: `fp32`, `int8`).
    /// Not part of `sameModel`: an index of one precision can be searched with queries of another
    /// (the CLI warns); its documents are always embedded in the index's own precision.
    public var precision: String = "fp32"

    public init(name: String, weightsSHA256: String, dimension: Int, pooling: String, normalized: Bool, maxSeqLength: Int,
                architecture: String = "bert", promptName: String? = nil, prompt: String? = nil, truncatedFrom: Int? = nil,
                precision: String = "fp32") {
        self.name = name
        self.weightsSHA256 = weightsSHA256
        self.dimension = dimension
        self.pooling = pooling
        self.normalized = normalized
        self.maxSeqLength = maxSeqLength
        self.architecture = architecture
        self.promptName = promptName
        self.prompt = prompt
        self.truncatedFrom = truncatedFrom
        self.precision = precision
    }

    /// Short form for messages: name and the first 12 hex digits of the weights hash.
    public var summary: String { "\(name) (weights \(weightsSHA256.prefix(12)))" }

    /// Whether `other` is the same model, whatever prompt and dimension each embeds with.
    public func sameModel(as other: ModelIdentity) -> Bool {
        name == other.name && weightsSHA256 == other.weightsSHA256 && pooling == other.pooling
            && normalized == other.normalized && maxSeqLength == other.maxSeqLength && architecture == other.architecture
    }

    /// The prompt and dimension, as `EmbeddingSettings` describe them (for messages).
    public var settingsSummary: String {
        EmbeddingSettings(promptName: promptName, prompt: prompt, dimension: dimension).promptSummary + ", dimension \(dimension)"
            + ", precision \(precision)"
    }

    /// The hash that keys this model's vectors in an embedding cache: the weights hash, mixed
    /// with the prompt, the truncated dimension and a precision other than fp32 when there are
    /// any (so vectors of one setting are never served for another; caches of the model's
    /// defaults keep their keys).
    public var cacheHash: String {
        guard prompt != nil || truncatedFrom != nil || precision != "fp32" else { return weightsSHA256 }
        var sha = SHA256()
        sha.update(weightsSHA256)
        sha.update([0])
        sha.update(prompt.map { "prompt:" + $0 } ?? "no prompt")
        sha.update([0])
        sha.update("dimension:\(dimension)")
        if precision != "fp32" {
            sha.update([0])
            sha.update("precision:\(precision)")
        }
        return sha.hex()
    }
}

extension SentenceEncoder {
    /// The identity of this encoder's model with its `settings` (hashes its weights file, or
    /// takes the hash `WeightsHash` recorded for it; with Dense modules, the hash covers their weights files too).
    public func identity() throws(EncoderError) -> ModelIdentity {
        var hash = try Self.sha256(of: weightsURL)
        if !dense.isEmpty {
            var sha = SHA256()
            sha.update(hash)
            for layer in dense { sha.update(try Self.sha256(of: layer.weightsURL)) }
            hash = sha.hex()
        }
        return ModelIdentity(name: folder.lastPathComponent, weightsSHA256: hash, dimension: dimension,
                             pooling: poolingDescription, normalized: normalize, maxSeqLength: tokenizer.maxLength,
                             architecture: architecture, promptName: settings.promptName, prompt: settings.prompt,
                             truncatedFrom: dimension < moduleDimension ? moduleDimension : nil,
                             precision: model.precision.rawValue)
    }
}

extension SentenceEncoder {
    /// The weights file's SHA-256 (`WeightsHash`: recorded between runs, keyed by the file's stat).
    static func sha256(of url: URL) throws(EncoderError) -> String {
        try WeightsHash.sha256(of: url)
    }
}
