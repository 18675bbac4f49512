import ExemplarEncoder
import ExemplarJSON
import ExemplarStore

/// The JSON shapes of what an index is, defined once for `exemplar info --json`, `build
/// --json` and the service's index description (snake_case keys).
extension ModelIdentity {
    public var json: JSONValue {
        .object(dropping: [("name", .string(name)), ("weights_sha256", .string(weightsSHA256)), ("dimension", .int(dimension)),
                           ("pooling", .string(pooling)), ("normalized", .bool(normalized)), ("max_seq_length", .int(maxSeqLength)),
                           ("architecture", .string(architecture)), ("prompt_name", promptName.map(JSONValue.string)),
                           ("prompt", prompt.map(JSONValue.string)), ("truncated_from", truncatedFrom.map(JSONValue.int)),
                           ("precision", .string(precision))])
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

/// Search results as `exemplar query --json` prints them and `/search` answers, byte for byte.
public enum SearchJSON {
    /// One hit: `{"id", "label", "line", "score", "split", "text", "text_b"}` (`text_b` only for pairs).
    public static func hit(_ record: IndexRecord, score: Float) -> JSONValue {
        .object(dropping: [("id", .int(Int(record.id))), ("label", .string(record.label)), ("line", .int(record.line)),
                           ("score", .float(score)), ("split", .string(record.split)), ("text", .string(record.textA)),
                           ("text_b", record.textB.map(JSONValue.string))])
    }

    /// One query's results: `{"query": text (null for a vector), "results": [{"hits": [...], "label": l}]}`,
    /// one group per label with `perClass` (in label order), else one group with label null.
    public static func result(query: String?, groups: [(label: String, hits: [Hit])], perClass: Bool,
                              records: RecordList) -> JSONValue {
        .object([("query", .optional(query)), ("results", .array(groups.map { group in
            .object([("hits", .array(group.hits.map { hit(records[Int($0.id)], score: $0.score) })),
                     ("label", perClass ? .string(group.label) : .null)])
        }))])
    }
}
