import ExemplarData
import ExemplarEncoder
import ExemplarIndex
import ExemplarStore
import ExemplarTestSupport
import Foundation
import Testing

/// Every dataset layout, end to end: index.json → readers → build (tiny real BERT, real LMDB)
/// → reopen → per-class top-k equal to a brute-force ranking of the stored vectors.
@Suite struct IndexLayoutTests {
    static let data = Fixtures.url("data")

    /// (index.json contents with `data` relative to Tests/Fixtures/data, expected records).
    static let layouts: [(json: String, records: Int)] = [
        (#"{"task": "SST-2", "data": "glue/SST-2/train.tsv"}"#, 5),
        (#"{"task": "CoLA", "data": "glue/CoLA/train.tsv"}"#, 3),
        (#"{"task": "MNLI", "data": "glue/MNLI/train.tsv"}"#, 3),
        (#"{"task": "MNLI", "data": "glue/MNLI/dev_matched.tsv", "split": "dev_matched"}"#, 2),
        (#"{"task": "SNLI", "data": "glue/SNLI/train.tsv"}"#, 2),
        (#"{"task": "QNLI", "data": "glue/QNLI/dev.tsv", "split": "dev"}"#, 2),
        (#"{"task": "RTE", "data": "glue/RTE/train.tsv"}"#, 3),
        (#"{"task": "WNLI", "data": "glue/WNLI/train.tsv"}"#, 4),
        (#"{"task": "MRPC", "data": "glue/MRPC/dev.tsv", "split": "dev"}"#, 3),
        (#"{"task": "QQP", "data": "glue/QQP/dev.tsv", "split": "dev"}"#, 3),
        (#"{"task": "STS-B", "data": "glue/STS-B/train.tsv"}"#, 3),
        (#"{"task": "sst-5", "data": "csv/sst-5.csv"}"#, 6),
        (#"{"task": "SST-2", "data": "k-shot/SST-2/16-42"}"#, 0),
        (#"{"task": "sst-5", "data": "k-shot/sst-5/16-42"}"#, 0),
        (#"{"task": "MNLI", "data": "k-shot/MNLI/16-42"}"#, 0),
        (#"{"data": "generic/reviews.jsonl"}"#, 0),
        (#"{"data": "generic/pairs.jsonl", "text_column": "premise", "text_b_column": "hypothesis", "label_column": "gold"}"#, 0),
        (#"{"data": "generic/reviews.tsv", "text_column": "sentence"}"#, 0),
        (#"{"data": "generic/pairs.csv", "text_column": "premise", "text_b_column": "hypothesis", "label_column": "gold"}"#, 0),
    ]

    static let encoder = Result { try SentenceEncoder(folder: Fixtures.url("tiny-bert-max")) }

    @Test(arguments: layouts.indices)
    func perClassEqualsBruteForce(layout: Int) throws {
        let (json, expectedCount) = Self.layouts[layout]
        var definition = try IndexDefinition.parse(Data(json.utf8), name: "layout \(layout)")
        definition.data = Self.data.appendingPathComponent(definition.data).path
        let folder = try TemporaryFolder.create("layout")
        defer { TemporaryFolder.remove(folder) }
        try definition.write(to: folder)

        let source = try IndexSource.load(IndexDefinition.load(folder: folder), base: folder)
        if expectedCount > 0 { #expect(source.records.count == expectedCount, "\(json)") }
        #expect(!source.records.isEmpty && source.skipped.isEmpty)
        #expect(source.records.map(\.id) == (0..<UInt32(source.records.count)).map { $0 })
        if definition.task.map({ [.rte, .mrpc, .mnli, .snli, .qnli, .qqp, .stsb, .wnli].contains($0) }) == true
            || definition.textBColumn != nil {
            #expect(source.records.allSatisfy { $0.textB != nil }, "pairs stay pairs: \(json)")
        }
        let store = try IndexFolder.openStore(folder, create: true)
        _ = try IndexBuilder(encoder: Self.encoder.get()).build(records: source.records, labels: source.labels,
                                                                 task: definition.task?.name, into: store)
        let index = try LoadedIndex.open(folder)
        #expect(Array(index.records) == source.records)
        #expect(index.exact.labels == source.labels)

        let (_, vectors) = try store.load(dimension: index.exact.dimension)
        let dim = index.exact.dimension
        let queries = source.records.indices.map { Array(vectors[($0 * dim)..<(($0 + 1) * dim)]) }
        let batch = index.exact.searchBatch(queries, k: 2, perClass: true)
        for (q, query) in queries.enumerated() {
            let perClass = index.exact.searchPerClass(query, k: 2)
            #expect(perClass.map(\.label) == source.labels)
            for (g, (label, hits)) in perClass.enumerated() {
                let expected = Self.bruteForce(records: source.records, vectors: vectors, dim: dim, query: query, k: 2) { $0.label == label }
                #expect(hits.map(\.id) == expected, "\(json): query \(q), label \(label)")
                #expect(batch[q][g].hits.map(\.id) == expected, "batch: \(json): query \(q), label \(label)")
            }
            let excluded = index.exact.search(query, k: 3, filter: SearchFilter(excluding: [UInt32(q)]))
            #expect(excluded.map(\.id) == Self.bruteForce(records: source.records, vectors: vectors, dim: dim, query: query, k: 3) { $0.id != UInt32(q) })
        }
    }

    /// Ids of the top k by cosine computed in double precision, ties by id.
    static func bruteForce(records: [IndexRecord], vectors: [Float], dim: Int, query: [Float], k: Int,
                           accept: (IndexRecord) -> Bool) -> [UInt32] {
        func cosine(_ row: Int) -> Double {
            var dot = 0.0, a = 0.0, b = 0.0
            for j in 0..<dim {
                let x = Double(vectors[row * dim + j]), y = Double(query[j])
                dot += x * y; a += x * x; b += y * y
            }
            return dot / max((a * b).squareRoot(), 1e-300)
        }
        // Scores closer than float rounding count as ties, broken by id as the index does.
        let scored = records.filter(accept).map { ($0.id, (cosine(Int($0.id)) * 1e5).rounded()) }
        return scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(k).map(\.0)
    }

    @Test func definitionErrorsNameTheField() throws {
        let cases: [(String, String)] = [
            (#"{"task": "SST2", "data": "x"}"#, #"field "task" unknown task "SST2""#),
            (#"{"task": "SST-2"}"#, #"field "data" is required"#),
            (#"{"data": "x", "format": "xml"}"#, #"field "format" must be one of"#),
            (#"{"data": "x", "labelz": ["a"]}"#, #"field "labelz" unknown field"#),
            (#"{"data": "x", "task": "SST-2", "labels": ["0", "2"]}"#, #"field "labels" SST-2's labels are 0, 1"#),
            (#"{"data": "x", "skip_bad_rows": "yes"}"#, #"field "skip_bad_rows" must be true or false"#),
            (#"["data"]"#, "must be a JSON object"),
            (#"{"data": }"#, "is not valid JSON"),
        ]
        for (json, message) in cases {
            #expect {
                try IndexDefinition.parse(Data(json.utf8), name: "index.json")
            } throws: { error in
                "\(error)".contains(message)
            }
        }
        let d = try IndexDefinition.parse(Data(#"{"data": "a/b.tsv", "text_column": "s", "labels": [0, 1]}"#.utf8), name: "x")
        #expect(d.format == .tsv && d.labels == ["0", "1"] && d.textColumn == "s")
        #expect(try IndexDefinition.parse(d.json(), name: "round trip") == d)
    }

    @Test func definitionLabelsAndWrittenForm() throws {
        func parse(_ json: String) throws(IndexError) -> IndexDefinition { try IndexDefinition.parse(Data(json.utf8), name: "index.json") }
        #expect(try parse(#"{"data": "x.jsonl", "labels": [1.5, 2, "a"]}"#).labels == ["1.5", "2", "a"])
        func message(_ json: String) -> String? {
            do {
                _ = try parse(json)
                return nil
            } catch {
                guard case let .definition(file, field, message) = error else { return "\(error)" }
                return "\(file) \(field ?? "-") \(message)"
            }
        }
        #expect(message(#"{"data": "x.jsonl", "labels": ["a", true]}"#) == "index.json labels must hold strings, got true")
        #expect(message(#"{"data": 3}"#) == "index.json data must be a non-empty string")
        #expect(message(#"{"data": null}"#)?.hasPrefix("index.json data is required") == true)
        let d = IndexDefinition(data: "data/reviews.tsv", textColumn: "review", labels: ["neg", "pos"], model: "../model", skipBadRows: true)
        let text = String(decoding: d.json(), as: UTF8.self)
        // Pretty, keys sorted, slashes not escaped.
        #expect(text == """
            {
              "data": "data/reviews.tsv",
              "labels": [
                "neg",
                "pos"
              ],
              "model": "../model",
              "skip_bad_rows": true,
              "text_column": "review"
            }

            """)
        #expect(try parse(text) == d)
    }

    @Test func folderSourceNeedsATaskAndMissingDataIsNamed() throws {
        let folder = try TemporaryFolder.create("def")
        defer { TemporaryFolder.remove(folder) }
        try IndexDefinition(data: Self.data.appendingPathComponent("k-shot/SST-2/16-42").path).write(to: folder)
        #expect { try IndexSource.load(IndexDefinition.load(folder: folder), base: folder) } throws: {
            "\($0)".contains("needs \"task\"")
        }
        try IndexDefinition(data: "nowhere.tsv", task: .sst2).write(to: folder)
        #expect { try IndexSource.load(IndexDefinition.load(folder: folder), base: folder) } throws: {
            "\($0)".contains("nowhere.tsv") && "\($0)".contains("no such file")
        }
        #expect { try LoadedIndex.open(folder) } throws: { "\($0)".contains("has not been built") }
    }
}
