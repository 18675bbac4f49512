import ExemplarJSON
import ExemplarStore

/// Selected demonstrations as JSON, defined once for `exemplar demos` and the
/// demonstrations route (sorted keys; absent optional fields left out).
extension IndexDemos {
    /// A query: `{"id", "label", "text", "text_b"}`; `id` and `label` when it is an example of the index.
    public static func queryJSON(id: UInt32?, label: String?, sentences: [String]) -> JSONValue {
        .object(dropping: [("id", id.map { .int(Int($0)) }), ("label", label.map(JSONValue.string)),
                           ("text", .string(sentences[0])), ("text_b", sentences.count > 1 ? .string(sentences[1]) : nil)])
    }
}

extension IndexDemos.Sample {
    /// The sample's fields: `context` (with a template), `demonstrations` (`{"id", "label",
    /// "similarity", "text", "text_b"}` in context order), `sample` (its number), `segments`
    /// (each `{"role", "segment_id", "text"}`, when asked for). `query` adds the query object,
    /// as `exemplar demos` writes each line.
    public func json(number: Int, segments: Bool = false, query: JSONValue? = nil) -> JSONValue {
        .object(dropping: ((inputs?.jsonFields ?? []) + [
            ("context", context.map { .string($0.text) }),
            ("demonstrations", .array(demonstrations.map { d in
                .object(dropping: [("id", .int(Int(d.record.id))), ("label", .string(d.record.label)),
                                   ("similarity", .float(d.similarity)), ("text", .string(d.record.textA)),
                                   ("text_b", d.record.textB.map(JSONValue.string))])
            })),
            ("query", query),
            ("sample", .int(number)),
            ("segments", segments ? context.map { c in
                .array(c.segments.map { .object([("role", .string($0.role.name)), ("segment_id", .int($0.segmentID)), ("text", .string($0.text))]) })
            } : nil),
        ]).sorted { $0.0 < $1.0 })
    }
}

extension ModelInputs {
    /// LM-BFF's feature names: `input_ids`, `attention_mask`, `token_type_ids` (models with token
    /// types), `mask_pos` (a list of one position, as LM-BFF's), `label_word_list`.
    public var jsonFields: [(String, JSONValue?)] {
        func ints(_ values: [Int]) -> JSONValue { .array(values.map { .int($0) }) }
        return [("attention_mask", ints(attentionMask)), ("input_ids", ints(inputIDs)),
                ("label_word_list", ints(labelWordIDs)), ("mask_pos", ints([maskPosition])),
                ("token_type_ids", tokenTypeIDs.map(ints))]
    }
}

extension SegmentRole {
    /// The role as outputs name it: `cls`, `query_sentence_0`, `demo_3_sentence_0`, `demo_3_label_word`, ...
    public var name: String {
        switch self {
        case .cls: "cls"
        case .sep: "sep"
        case .mask: "mask"
        case .querySentence(let i): "query_sentence_\(i)"
        case .demoSentence(let demo, let sentence): "demo_\(demo)_sentence_\(sentence)"
        case .labelWord(let label, let demo): demo.map { "demo_\($0)_label_word" } ?? "label_word_\(label)"
        case .literal: "literal"
        }
    }
}
