import ExemplarCore
import Foundation

/// What identifies a model's vectors: an index built with one model opens only with the
/// same one. Build, query, demos and serve all compare this one value.
public struct ModelIdentity: Sendable, Equatable {
    /// The model folder's name.
    public var name: String
    /// SHA-256 of the weights file.
    public var weightsSHA256: String
    public var dimension: Int
    /// Pooling modes, e.g. `mean` or `cls+max`.
    public var pooling: String
    public var normalized: Bool
    public var maxSeqLength: Int

    public init(name: String, weightsSHA256: String, dimension: Int, pooling: String, normalized: Bool, maxSeqLength: Int) {
        self.name = name
        self.weightsSHA256 = weightsSHA256
        self.dimension = dimension
        self.pooling = pooling
        self.normalized = normalized
        self.maxSeqLength = maxSeqLength
    }

    /// Short form for messages: name and the first 12 hex digits of the weights hash.
    public var summary: String { "\(name) (weights \(weightsSHA256.prefix(12)))" }
}

extension SentenceEncoder {
    /// The identity of this encoder's model (reads and hashes its weights file).
    public func identity() throws(EncoderError) -> ModelIdentity {
        guard let handle = FileHandle(forReadingAtPath: weightsURL.path) else {
            throw .invalidModelFile(path: weightsURL.path, reason: "cannot open the weights file to identify the model (is it readable?)")
        }
        defer { try? handle.close() }
        var sha = SHA256()
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 22) ?? Data() } catch {
                throw .invalidModelFile(path: weightsURL.path, reason: "cannot read the weights file: \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { sha.update($0) }
        }
        return ModelIdentity(name: folder.lastPathComponent, weightsSHA256: sha.hex(), dimension: dimension,
                             pooling: poolingDescription, normalized: normalize, maxSeqLength: tokenizer.maxLength)
    }
}
