import ExemplarEncoder
import ExemplarJSON
import ExemplarStore

/// The JSON shapes of what an index is, defined once for `exemplar info --json`, `build
/// --json` and the service's index description (snake_case keys).
extension ModelIdentity {
    public var json: JSONValue {
        .object([("name", .string(name)), ("weights_sha256", .string(weightsSHA256)), ("dimension", .int(dimension)),
                 ("pooling", .string(pooling)), ("normalized", .bool(normalized)), ("max_seq_length", .int(maxSeqLength))])
    }
}

extension Manifest {
    /// The manifest as `exemplar info --json` prints it.
    public var publicJSON: JSONValue {
        .object(dropping: [
            ("build_seconds", .number(buildSeconds)), ("built_at", .string(builtAt.formatted(.iso8601))),
            ("counts_by_label", JSONValue.counts(countsByLabel)), ("counts_by_split", JSONValue.counts(countsBySplit)),
            ("data_fingerprint", .string(dataFingerprint)), ("embedded_texts", .int(embeddedTexts)),
            ("format_version", .int(formatVersion)), ("labels", .strings(labels)), ("model", model.json),
            ("task", task.map(JSONValue.string)), ("total", .int(total)), ("written_by", writtenBy.map(JSONValue.string)),
        ])
    }
}

extension BuildReport {
    /// What `exemplar build --json` prints.
    public func json(index: String, countsBySplit: [String: Int], countsByLabel: [String: Int], skippedRows: [String]) -> JSONValue {
        .object([("counts_by_label", .counts(countsByLabel)), ("counts_by_split", .counts(countsBySplit)),
                 ("embedded", .int(embedded)), ("from_cache", .int(fromCache)), ("index", .string(index)),
                 ("records", .int(records)), ("seconds", .number(seconds)), ("skipped_rows", .strings(skippedRows)),
                 ("up_to_date", .bool(upToDate))])
    }
}

extension JSONValue {
    /// Counts by key, keys sorted.
    public static func counts(_ d: [String: Int]) -> JSONValue { .object(d.keys.sorted().map { ($0, .int(d[$0]!)) }) }
}
