import ExemplarCore
import ExemplarEncoder
import ExemplarJSON
import Foundation

/// What an index holds and how it was made; stored as JSON under `meta/manifest`.
public struct Manifest: Sendable, Equatable {
    /// The manifest format this version writes and reads; a newer one is refused.
    /// 2: vectors in a `VectorFile` beside LMDB (`vectorFile`); 1: vectors in LMDB's `vectors` database.
    public static let currentFormat = 2

    public var formatVersion = Manifest.currentFormat
    /// The Exemplar version that wrote the manifest (absent in indexes written before 0.9).
    public var writtenBy: String? = ExemplarVersion.current
    /// The model the vectors came from; an index only opens with the same one.
    public var model: ModelIdentity
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
    /// The BM25 postings stored with the records (absent in indexes built before 0.10).
    public var lexical: LexicalPostings?
    /// The prompt queries are embedded with, when it is not the documents' (`model.prompt`):
    /// E5's `query: ` for an index of `passage: ` documents. Nil: the documents' prompt.
    public var queryPrompt: QueryPrompt?
    /// The build's vector file in the store folder (format 2; nil in format 1, whose vectors are in LMDB).
    public var vectorFile: VectorFileName?

    /// The vector file a build wrote: its name in the store folder and its rows (ids `0..<rows`).
    public struct VectorFileName: Sendable, Equatable {
        public var name: String
        public var rows: Int
        public init(name: String, rows: Int) {
            self.name = name
            self.rows = rows
        }
    }

    /// A prompt for queries: its name among the model's prompts and its text (nil text: no prompt).
    public struct QueryPrompt: Sendable, Equatable {
        public var name: String?
        public var text: String?
        public init(name: String?, text: String?) {
            self.name = name
            self.text = text
        }
    }

    /// What the stored postings cover: records `0..<documents`, tokenized by `tokenizer`.
    public struct LexicalPostings: Sendable, Equatable {
        public var tokenizer: String
        public var documents: Int
        public var terms: Int
        public init(tokenizer: String, documents: Int, terms: Int) {
            self.tokenizer = tokenizer
            self.documents = documents
            self.terms = terms
        }
    }

    public init(model: ModelIdentity, task: String?, dataFingerprint: String, labels: [String], countsByLabel: [String: Int],
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

extension Manifest {
    /// The stored JSON (keys sorted, as earlier versions wrote it with `JSONEncoder`).
    var json: JSONValue {
        func counts(_ d: [String: Int]) -> JSONValue { .object(d.keys.sorted().map { ($0, .int(d[$0]!)) }) }
        return .object(dropping: [
            ("buildSeconds", .number(buildSeconds)), ("builtAt", .string(Self.format(builtAt))),
            ("countsByLabel", counts(countsByLabel)), ("countsBySplit", counts(countsBySplit)),
            ("dataFingerprint", .string(dataFingerprint)), ("embeddedTexts", .int(embeddedTexts)),
            ("formatVersion", .int(formatVersion)), ("labels", .strings(labels)),
            ("lexical", lexical.map { l in .object([("documents", .int(l.documents)), ("terms", .int(l.terms)), ("tokenizer", .string(l.tokenizer))]) }),
            ("model", .object(([
                ("dimension", .int(model.dimension)), ("maxSeqLength", .int(model.maxSeqLength)), ("name", .string(model.name)),
                ("normalized", .bool(model.normalized)), ("pooling", .string(model.pooling)),
                ("weightsSHA256", .string(model.weightsSHA256)),
            ] + Self.settingsFields(model)).sorted { $0.0 < $1.0 })),
            ("queryPrompt", queryPrompt.map { q in .object([("name", .optional(q.name)), ("text", .optional(q.text))]) }),
            ("task", task.map(JSONValue.string)), ("total", .int(total)),
            ("vectorFile", vectorFile.map { f in .object([("name", .string(f.name)), ("rows", .int(f.rows))]) }),
            ("writtenBy", writtenBy.map(JSONValue.string)),
        ])
    }

    /// Reads the stored JSON. Throws `JSONError` naming the field, or `StoreError.newerFormat`.
    init(json bytes: [UInt8], path: String) throws {
        let o = try JSONReader(bytes: bytes)
        let format = try o.int("formatVersion") ?? 1
        let writtenBy = try o.string("writtenBy")
        guard format <= Self.currentFormat else {
            throw StoreError.newerFormat(path: path, format: format, writtenBy: writtenBy)
        }
        func required<T>(_ key: String, _ value: T?) throws -> T {
            guard let value else { throw o.error(key, "is missing") }
            return value
        }
        func counts(_ key: String) throws -> [String: Int] {
            guard let r = try o.object(key) else { throw o.error(key, "is missing") }
            var out: [String: Int] = [:]
            for k in r.keys { out[k] = try required(k, r.int(k)) }
            return out
        }
        guard let m = try o.object("model") else { throw o.error("model", "is missing") }
        let model = ModelIdentity(
            name: try required("model.name", m.string("name")), weightsSHA256: try required("model.weightsSHA256", m.string("weightsSHA256")),
            dimension: try required("model.dimension", m.int("dimension", range: 1...1 << 20)),
            pooling: try required("model.pooling", m.string("pooling")), normalized: try required("model.normalized", m.bool("normalized")),
            maxSeqLength: try required("model.maxSeqLength", m.int("maxSeqLength")),
            architecture: try m.string("architecture") ?? "bert", promptName: try m.string("promptName"),
            prompt: try m.string("prompt"), truncatedFrom: try m.int("truncatedFrom", range: 1...1 << 20),
            precision: try m.string("precision") ?? "fp32")
        let labels = try (o.field("labels")?.arrayValue ?? []).map { v in try required("labels", v.stringValue) }
        let built = try required("builtAt", o.string("builtAt"))
        guard let date = Self.parse(built) else { throw o.error("builtAt", "must be an ISO 8601 date, got \"\(built)\"") }
        self.init(model: model, task: try o.string("task"), dataFingerprint: try required("dataFingerprint", o.string("dataFingerprint")),
                  labels: labels, countsByLabel: try counts("countsByLabel"), countsBySplit: try counts("countsBySplit"),
                  total: try required("total", o.int("total")), builtAt: date,
                  buildSeconds: try required("buildSeconds", o.double("buildSeconds")),
                  embeddedTexts: try required("embeddedTexts", o.int("embeddedTexts")))
        self.formatVersion = format
        self.writtenBy = writtenBy
        if let q = try o.object("queryPrompt") {
            queryPrompt = QueryPrompt(name: try q.string("name"), text: try q.string("text"))
        }
        if let f = try o.object("vectorFile") {
            let name = try required("vectorFile.name", f.string("name"))
            guard !name.contains("/"), name.hasPrefix("vectors-") else { throw o.error("vectorFile.name", "must be a vector file's name") }
            vectorFile = VectorFileName(name: name, rows: try required("vectorFile.rows", f.int("rows", range: 0...Int(UInt32.max))))
        }
        if let l = try o.object("lexical") {
            lexical = LexicalPostings(tokenizer: try required("lexical.tokenizer", l.string("tokenizer")),
                                      documents: try required("lexical.documents", l.int("documents")),
                                      terms: try required("lexical.terms", l.int("terms")))
        }
    }

    /// The model fields added with prompts, dimensions and precisions (written only when set, so a
    /// manifest of the model's plain fp32 vectors reads as before; `architecture` always).
    static func settingsFields(_ model: ModelIdentity) -> [(String, JSONValue)] {
        var fields: [(String, JSONValue)] = [("architecture", .string(model.architecture))]
        if let prompt = model.prompt { fields.append(("prompt", .string(prompt))) }
        if let name = model.promptName { fields.append(("promptName", .string(name))) }
        if let from = model.truncatedFrom { fields.append(("truncatedFrom", .int(from))) }
        if model.precision != "fp32" { fields.append(("precision", .string(model.precision))) }
        return fields.sorted { $0.0 < $1.0 }
    }

    /// ISO 8601 in UTC to the second, as `JSONEncoder`'s `.iso8601` wrote it.
    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }

    static func parse(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle().parse(text)
    }
}
