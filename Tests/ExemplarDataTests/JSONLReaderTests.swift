import ExemplarData
import Foundation
import Testing

@Suite("JSON Lines")
struct JSONLReaderTests {
    @Test func stringAndNumberLabelsAndBlankLines() throws {
        let result = try DatasetReader.read(DataFixtures.url("generic/reviews.jsonl"), layout: .jsonl(), labels: .any)
        #expect(result.examples == [
            Example(textA: "a gripping thriller .", label: "positive", line: 1),
            Example(textA: "a dull mess .", label: "negative", line: 3),
            Example(textA: "warm and funny .", label: "1", line: 4),
            Example(textA: "a score", label: "3.8", line: 5),
        ])
    }

    @Test func pairsWithNamedFields() throws {
        let layout = DataLayout.jsonl(textField: "premise", textBField: "hypothesis", labelField: "gold")
        let result = try DatasetReader.read(DataFixtures.url("generic/pairs.jsonl"), layout: layout,
                                            labels: LMBFFTask.rte.labelSpace)
        #expect(result.examples[1] == Example(textA: "A cat sleeps.", textB: "A dog barks.", label: "not_entailment", line: 2))
        #expect(result.examples[0].lmbffSentence == "A man plays a flute. A man plays music.")
    }

    @Test func integerAndFloatLabelsPrintAsPythonWould() throws {
        let text = #"{"text":"a","label":0}"# + "\n" + #"{"text":"b","label":1.0}"# + "\n" + #"{"text":"c","label":2.5}"#
        let result = try DatasetReader.parse(Data(text.utf8), name: "x.jsonl", layout: .jsonl(), labels: .any)
        #expect(result.examples.map(\.label) == ["0", "1.0", "2.5"])
    }

    @Test func numberLabelsFollowHowTheyAreWritten() throws {
        let lines = [
            #"{"text":"a","label":1e2}"#, #"{"text":"b","label":-0}"#, #"{"text":"c","label":12345678901234567}"#,
            #"{"text":"d","label":"x","label":3}"#, #"{"meta":{"label":1.0},"label":2}"#, #"{"label":2,"meta":{"label":1.5},"text":"f"}"#,
        ]
        let text = lines.joined(separator: "\n").replacingOccurrences(of: #"{"meta""#, with: #"{"text":"e","meta""#)
        let result = try DatasetReader.parse(Data(text.utf8), name: "x.jsonl", layout: .jsonl(), labels: .any)
        #expect(result.examples.map(\.label) == ["100.0", "0", "12345678901234567", "3", "2", "2"])
    }

    @Test func boolAndNullLabelsAreRejected() throws {
        let data = Data((#"{"text":"a","label":false}"# + "\n" + #"{"text":"b","label":null}"#).utf8)
        let result = try DatasetReader.parse(data, name: "x.jsonl", layout: .jsonl(), labels: .any, skipBadRows: true)
        #expect(result.examples.isEmpty)
        #expect(result.skipped == [
            .wrongType(file: "x.jsonl", line: 1, field: "label", expected: "a string or a number"),
            .missingField(file: "x.jsonl", line: 2, field: "label"),
        ])
        let error = dataError { try DatasetReader.parse(Data(#"{"text":"a","label":1"#.utf8), name: "x.jsonl", layout: .jsonl(), labels: .any) }
        #expect(error?.description.hasPrefix("x.jsonl:1: malformed JSON (unexpected end in object at byte 21)") == true, "\(String(describing: error))")
    }

    @Test func rowErrors() throws {
        let lines = [
            #"{"text": "ok", "label": "1"}"#,
            #"{"text": "ok", "label": "1""#,
            #"["text", "label"]"#,
            #"{"label": "1"}"#,
            #"{"text": 5, "label": "1"}"#,
            #"{"text": "ok", "label": true}"#,
            #"{"text": "  ", "label": "1"}"#,
            #"{"text": "ok", "label": "9"}"#,
            #"{"text": "ok"}"#,
        ]
        let data = Data(lines.joined(separator: "\n").utf8)
        let labels = LabelSpace.classes(["0", "1"])
        let first = dataError { try DatasetReader.parse(data, name: "in.jsonl", layout: .jsonl(), labels: labels) }
        guard case .malformedJSON("in.jsonl", 2, _) = first else {
            Issue.record("expected malformedJSON at line 2, got \(String(describing: first))")
            return
        }
        let result = try DatasetReader.parse(data, name: "in.jsonl", layout: .jsonl(), labels: labels, skipBadRows: true)
        #expect(result.examples == [Example(textA: "ok", label: "1", line: 1)])
        #expect(result.skipped.count == 8)
        #expect(Array(result.skipped.dropFirst(2)) == [
            .missingField(file: "in.jsonl", line: 4, field: "text"),
            .wrongType(file: "in.jsonl", line: 5, field: "text", expected: "a string"),
            .wrongType(file: "in.jsonl", line: 6, field: "label", expected: "a string or a number"),
            .emptyText(file: "in.jsonl", line: 7, column: "text"),
            .unknownLabel(file: "in.jsonl", line: 8, label: "9", known: ["0", "1"]),
            .missingField(file: "in.jsonl", line: 9, field: "label"),
        ])
        #expect(result.skipped[1] == .malformedJSON(file: "in.jsonl", line: 3, reason: "a line holds a JSON value that is not an object"))
    }
}
