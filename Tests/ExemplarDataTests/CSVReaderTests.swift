import ExemplarData
import Foundation
import Testing

@Suite("CSV: LM-BFF's label,sentence files and files with a header row")
struct CSVReaderTests {
    @Test func quotingAsPandasWritesIt() throws {
        let result = try DataFixtures.read("csv/sst-5.csv", task: .sst5)
        #expect(result.examples == [
            Example(textA: "a stirring , funny and finally transporting re-imagining of beauty and the beast and 1930s horror films",
                    label: "4", line: 1),
            Example(textA: "apparently reassembled from the cutting-room floor of any given daytime soap .", label: "1", line: 2),
            Example(textA: "i know the saying is \" you get what you pay for \" but this is no excuse .", label: "0", line: 3),
            Example(textA: "a sentence that runs\nover two lines , as a quoted field may", label: "2", line: 4),
            Example(textA: "", label: "3", line: 6),
            Example(textA: "the entire movie is filled with deja vu moments .", label: "3", line: 7),
        ])
    }

    @Test func crlfBlankLinesAndQuotedLabels() throws {
        let text = "1,first .\r\n\r\n\"0\",\"second, quoted\"\r\n0,\"\"\r\n1,a \"quote\" inside"
        let result = try parse(text, name: "train.csv", task: .mr)
        #expect(result.examples == [
            Example(textA: "first .", label: "1", line: 1),
            Example(textA: "second, quoted", label: "0", line: 3),
            Example(textA: "", label: "0", line: 4),
            Example(textA: "a \"quote\" inside", label: "1", line: 5),
        ])
    }

    @Test func wrongFieldCount() {
        let error = dataError { try parse("1,good\n0,one, two\n", name: "train.csv", task: .cr) }
        #expect(error == .wrongColumnCount(file: "train.csv", line: 2, expected: 2, found: 3, separator: ",",
                                           names: ["label", "sentence"]))
        #expect(error?.description == "train.csv:2: expected 2 fields separated by \",\" (label, sentence), found 3; a text holding \",\" must be double-quoted; fix the row or skip bad rows")
        let missingComma = dataError { try parse("1,good\n0\n", name: "train.csv", task: .cr) }
        #expect(missingComma == .wrongColumnCount(file: "train.csv", line: 2, expected: 2, found: 1, separator: ",",
                                                  names: ["label", "sentence"]))
    }

    @Test func unknownLabelInCSVTask() {
        let error = dataError { try parse("5,good\n6,bad\n", name: "train.csv", task: .trec) }
        #expect(error == .unknownLabel(file: "train.csv", line: 2, label: "6", known: ["0", "1", "2", "3", "4", "5"]))
    }

    @Test func unterminatedQuoteNamesWhereItOpens() {
        let error = dataError { try parse("1,good\n0,\"never\nclosed\n1,x\n", name: "test.csv", task: .subj) }
        #expect(error == .unterminatedQuote(file: "test.csv", line: 2))
        #expect(error?.description.hasPrefix("test.csv:2: a double-quoted field opens here and never closes") == true)
    }

    @Test func lineNumbersCountQuotedNewlines() throws {
        let result = try parse("1,\"a\nb\nc\"\n0,d\n", name: "train.csv", task: .mpqa, skipBadRows: true)
        #expect(result.examples.map(\.line) == [1, 4])
        let bad = try parse("1,\"a\nb\"\n7,d\n0,e\n", name: "train.csv", task: .mpqa, skipBadRows: true)
        #expect(bad.examples.map(\.line) == [1, 4])
        #expect(bad.skipped == [.unknownLabel(file: "train.csv", line: 3, label: "7", known: ["0", "1"])])
    }

    @Test func csvWithHeaderAndNamedColumns() throws {
        let layout = DataLayout.delimited(separator: ",", textColumn: "premise", textBColumn: "hypothesis", labelColumn: "gold")
        let result = try DatasetReader.read(DataFixtures.url("generic/pairs.csv"), layout: layout,
                                            labels: .classes(["entailment", "not_entailment"]))
        #expect(result.examples == [
            Example(textA: "A man, a plan.", textB: "A canal.", label: "entailment", line: 2),
            Example(textA: "She said \"no\".", textB: "She agreed\nlater.", label: "not_entailment", line: 3),
            Example(textA: "The sky is blue.", textB: "It is day.", label: "entailment", line: 5),
        ])
    }

    @Test func tsvWithHeaderAndNamedColumns() throws {
        let layout = DataLayout.delimited(separator: "\t", textColumn: "sentence", labelColumn: "label")
        let result = try DatasetReader.read(DataFixtures.url("generic/reviews.tsv"), layout: layout, labels: .any)
        #expect(result.examples == [
            Example(textA: "a gripping thriller , with commas .", label: "1", line: 2),
            Example(textA: "a dull mess .", label: "0", line: 3),
        ])
    }

    @Test func headerWithoutTheNamedColumn() {
        let layout = DataLayout.delimited(textColumn: "text", labelColumn: "gold")
        let error = dataError { try DatasetReader.read(DataFixtures.url("generic/pairs.csv"), layout: layout, labels: .any) }
        #expect(error == .wrongLayout(file: DataFixtures.url("generic/pairs.csv").path, line: 1,
                                      reason: "no column \"text\" in the header; its columns are \"id\", \"premise\", \"hypothesis\", \"gold\""))
    }

    @Test func delimitedRowErrors() throws {
        let layout = DataLayout.delimited(textColumn: "text", labelColumn: "label")
        let text = "text,label\ngood,1\n,0\nmany,1,extra\nfine,1\n"
        let error = dataError { try DatasetReader.parse(Data(text.utf8), name: "d.csv", layout: layout, labels: .any) }
        #expect(error == .emptyText(file: "d.csv", line: 3, column: "text"))
        let result = try DatasetReader.parse(Data(text.utf8), name: "d.csv", layout: layout, labels: .any, skipBadRows: true)
        #expect(result.examples.map(\.line) == [2, 5])
        #expect(result.skipped == [
            .emptyText(file: "d.csv", line: 3, column: "text"),
            .wrongColumnCount(file: "d.csv", line: 4, expected: 2, found: 3, separator: ",", names: []),
        ])
    }

    @Test func unusableSeparator() {
        let layout = DataLayout.delimited(separator: "\"", textColumn: "text", labelColumn: "label")
        let error = dataError { try DatasetReader.parse(Data("a".utf8), name: "d.csv", layout: layout, labels: .any) }
        guard case .invalidLayout = error else {
            Issue.record("expected invalidLayout, got \(String(describing: error))")
            return
        }
    }
}
