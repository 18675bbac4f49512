import Foundation

/// What an index holds and how it was made; stored as JSON under `meta/manifest`.
public struct Manifest: Codable, Sendable, Equatable {
    /// Identity of the model the vectors came from; an index only opens with the same one.
    public struct Model: Codable, Sendable, Equatable {
        public var name: String
        /// SHA-256 of the weights file.
        public var weightsSHA256: String
        public var dimension: Int
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

    public var formatVersion = 1
    public var model: Model
    public var task: String?
    /// SHA-256 over every record's split, label and texts, in order.
    public var dataFingerprint: String
    public var labels: [String]
    public var countsByLabel: [String: Int]
    public var countsBySplit: [String: Int]
    public var total: Int
    public var builtAt: Date
    public var buildSeconds: Double
    /// Texts embedded by the build that wrote this manifest (the rest came from the cache).
    public var embeddedTexts: Int

    public init(model: Model, task: String?, dataFingerprint: String, labels: [String], countsByLabel: [String: Int],
                countsBySplit: [String: Int], total: Int, builtAt: Date, buildSeconds: Double, embeddedTexts: Int) {
        self.model = model
        self.task = task
        self.dataFingerprint = dataFingerprint
        self.labels = labels
        self.countsByLabel = countsByLabel
        self.countsBySplit = countsBySplit
        self.total = total
        self.builtAt = builtAt
        self.buildSeconds = buildSeconds
        self.embeddedTexts = embeddedTexts
    }
}
