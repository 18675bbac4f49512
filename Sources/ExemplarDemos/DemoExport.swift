import ExemplarJSON

/// The file shapes `exemplar demos` writes besides its own JSON Lines.
public enum DemoExportFormat: String, Sendable, Hashable, CaseIterable {
    /// One `Sample.json(number:query:)` line per query and sample (Exemplar's own shape).
    case jsonl
    /// One row per query and sample, flat for Hugging Face `datasets`' JSON loader: `{"context",
    /// "demonstrations": [{"id", "index", "label", "similarity", "text", "text_b"}], "id",
    /// "label", "sample", "text", "text_b"}` (`id`/`label` null for texts not in the index).
    case hfJSONL = "hf-jsonl"
    /// OpenICL's retriever output (`ice_idx_list`): one list of support-split positions per
    /// query (and sample), in context order, written as one JSON array.
    case iceIdx = "ice-idx"
}

extension IndexDemos {
    /// The position of record `id` in the support split (OpenICL's index into its `index_ds`), or nil.
    public func supportIndex(of id: UInt32) -> Int? { selector.support.positionOfID[Int(id)] }

    /// A sample as OpenICL's `ice_idx`: the demonstrations' support positions in context order.
    public func iceIdx(_ sample: Sample) -> JSONValue {
        .array(sample.demonstrations.compactMap { d in supportIndex(of: d.record.id).map { .int($0) } })
    }

    /// A sample as one `datasets` row (see `DemoExportFormat.hfJSONL`).
    /// With token ids, the row also has LM-BFF's feature columns (`ModelInputs.jsonFields`) and
    /// `labels`: the query's label group (its score for regression), null when unknown.
    public func hfRow(query: Query, id: UInt32?, label: String?, sample: Sample, number: Int) -> JSONValue {
        var target: JSONValue? = nil
        if sample.inputs != nil {
            switch grouping {
            case .classes: target = label.flatMap { try? grouping.group(of: $0) }.map { .int($0) } ?? .null
            case .regression: target = label.flatMap(Double.init).map(JSONValue.number) ?? .null
            }
        }
        return .object(dropping: ((sample.inputs?.jsonFields ?? []) + [("labels", target)] + [
            ("context", sample.context.map { .string($0.text) }),
            ("demonstrations", .array(sample.demonstrations.map { d in
                .object(dropping: [("id", .int(Int(d.record.id))), ("index", supportIndex(of: d.record.id).map { .int($0) }),
                                   ("label", .string(d.record.label)), ("similarity", .float(d.similarity)),
                                   ("text", .string(d.record.textA)), ("text_b", d.record.textB.map(JSONValue.string))])
            })),
            ("id", id.map { .int(Int($0)) } ?? .null),
            ("label", label.map(JSONValue.string) ?? .null),
            ("sample", .int(number)),
            ("text", .string(query.sentences[0])),
            ("text_b", query.sentences.count > 1 ? .string(query.sentences[1]) : nil),
        ]).sorted { $0.0 < $1.0 })
    }
}
