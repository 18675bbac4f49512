import ExemplarData
import Foundation
import Testing

@Suite("Bad data: errors name the file and line")
struct BadDataTests {
    @Test func wrongColumnCount() {
        let error = dataError { try parse("sentence\tlabel\ngood .\t1\na\tstray tab\t0\n", task: .sst2) }
        #expect(error == .wrongColumnCount(file: "train.tsv", line: 3, expected: 2, found: 3, separator: "\t",
                                           names: ["sentence", "label"]))
        #expect(error?.description.hasPrefix(
            "train.tsv:3: expected 2 tab-separated columns (sentence, label), found 3;") == true)
    }

    @Test func wrongColumnCountInMNLIUsesTheFilesHeader() throws {
        let url = DataFixtures.url("glue/MNLI/dev_matched.tsv")
        var text = try String(contentsOf: url, encoding: .utf8)
        text += "2\tcut\tshort\tneutral\n"
        let error = dataError { try parse(text, name: "dev_matched.tsv", task: .mnli) }
        #expect(error == .wrongColumnCount(file: "dev_matched.tsv", line: 4, expected: 16, found: 4,
                                           separator: "\t", names: []))
        #expect(error?.description.contains("expected 16 tab-separated columns (as in the header line), found 4") == true)
    }

    @Test func unknownLabelListsTheKnownOnes() {
        let error = dataError { try parse("sentence\tlabel\ngood .\t1\nmeh .\t2\n", task: .sst2) }
        #expect(error == .unknownLabel(file: "train.tsv", line: 3, label: "2", known: ["0", "1"]))
        #expect(error?.description == "train.tsv:3: unknown label \"2\"; this task's labels are \"0\", \"1\". Is the file another task's?")
    }

    @Test func stsbLabelMustBeANumber() {
        let header = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n"
        let error = dataError {
            try parse(header + "0\tg\tf\ty\t1\tnone\tnone\tA plane.\tA jet.\thigh\n", task: .stsb)
        }
        #expect(error == .notANumber(file: "train.tsv", line: 2, label: "high"))
        #expect(error?.description.hasPrefix("train.tsv:2: label \"high\" is not a number") == true)
    }

    @Test func emptyTextIsAnErrorInGLUEFiles() {
        let rte = "index\tsentence1\tsentence2\tlabel\n0\tA cat sat.\t \tentailment\n"
        let error = dataError { try parse(rte, name: "dev.tsv", task: .rte) }
        #expect(error == .emptyText(file: "dev.tsv", line: 2, column: "sentence2"))
        #expect(error?.description.hasPrefix("dev.tsv:2: \"sentence2\" is empty") == true)

        // `line.strip()` takes the tab before an empty last column too; still reported as empty text.
        let cola = dataError { try parse("gj04\t1\t\tOne.\ngj04\t0\t*\t\u{3000}\n", task: .cola) }
        #expect(cola == .emptyText(file: "train.tsv", line: 2, column: "sentence"))
        let sst2 = dataError { try parse("sentence\tlabel\n \t1\n", task: .sst2) }
        #expect(sst2 == .emptyText(file: "train.tsv", line: 2, column: "sentence"))
    }

    @Test func invalidUTF8() {
        var bytes = Array("sentence\tlabel\ngood .\t1\n".utf8)
        bytes += [0x62, 0x61, 0x64, 0xFF, 0x09, 0x30, 0x0A]
        let error = dataError {
            try DatasetReader.parse(Data(bytes), name: "train.tsv", layout: LMBFFTask.sst2.layout, labels: LMBFFTask.sst2.labelSpace)
        }
        #expect(error == .invalidUTF8(file: "train.tsv", line: 3))
        #expect(error?.description.hasPrefix("train.tsv:3: invalid UTF-8; re-encode the file as UTF-8") == true)

        let csv = dataError {
            try DatasetReader.parse(Data([0x31, 0x2C, 0xC3, 0x28, 0x0A]), name: "train.csv", layout: .headerlessCSV,
                                    labels: LMBFFTask.mr.labelSpace)
        }
        #expect(csv == .invalidUTF8(file: "train.csv", line: 1))
    }

    @Test func missingFileAndFolder() {
        let missing = DataFixtures.url("glue/SST-2/nope.tsv")
        let error = dataError { try DatasetReader.read(missing, task: .sst2) }
        #expect(error == .cannotRead(file: missing.path, reason: "no such file"))
        #expect(error?.description == "\(missing.path): cannot read (no such file)")

        let folder = dataError { try DatasetReader.read(DataFixtures.url("glue/SST-2"), task: .sst2) }
        #expect(folder?.description.contains("it is a folder") == true)
    }

    @Test func blankLineInGLUEFile() {
        let error = dataError { try parse("sentence\tlabel\ngood .\t1\n\nbad .\t0\n", task: .sst2) }
        #expect(error == .blankLine(file: "train.tsv", line: 3))
    }

    @Test func anotherTasksFileIsNamed() {
        let error = dataError { try DataFixtures.read("glue/RTE/train.tsv", task: .sst2) }
        let file = DataFixtures.url("glue/RTE/train.tsv").path
        #expect(error == .wrongLayout(file: file, line: 1, reason:
            "header \"index sentence1 sentence2 label\" is not SST-2's (\"sentence label\"); is this another task's file? (looks like RTE or WNLI)"))

        let mrpc = dataError { try DataFixtures.read("glue/MRPC/dev.tsv", task: .qqp) }
        #expect(mrpc?.description.contains("(looks like MRPC)") == true)

        let mnli = dataError { try DataFixtures.read("glue/SNLI/train.tsv", task: .mnli) }
        #expect(mnli?.description.contains("is not MNLI's") == true)
        #expect(mnli?.description.contains("looks like SNLI") == true)
    }

    @Test func unlabelledGLUETestFile() {
        let error = dataError { try parse("index\tsentence\n0\tuneasy mishmash of styles and genres .\n", name: "test.tsv", task: .sst2) }
        #expect(error?.description.contains("test.tsv:1: header \"index sentence\" is not SST-2's") == true)
        #expect(error?.description.contains("unlabelled GLUE test file") == true)
    }

    @Test func glueFileReadAsCSVTaskAndBack() {
        let tsvAsCSV = dataError { try DataFixtures.read("glue/SST-2/train.tsv", task: .mr) }
        guard case .wrongLayout(_, 1, let reason) = tsvAsCSV else {
            Issue.record("expected wrongLayout at line 1, got \(String(describing: tsvAsCSV))")
            return
        }
        #expect(reason == "line 1 is not a label,sentence row; looks like SST-2")

        let csvAsTSV = dataError { try DataFixtures.read("csv/sst-5.csv", task: .sst2) }
        #expect(csvAsTSV?.description.contains("looks like a label,sentence CSV file") == true)

        let csvAsCoLA = dataError { try DataFixtures.read("csv/sst-5.csv", task: .cola) }
        guard case .wrongLayout(_, 1, let colaReason) = csvAsCoLA else {
            Issue.record("expected wrongLayout, got \(String(describing: csvAsCoLA))")
            return
        }
        #expect(colaReason.hasPrefix("line 1 is not a CoLA row; looks like a label,sentence CSV file"))

        let sst2AsCoLA = dataError { try DataFixtures.read("glue/SST-2/train.tsv", task: .cola) }
        #expect(sst2AsCoLA?.description.contains("line 1 is not a CoLA row; looks like SST-2") == true)
    }

    @Test func sameHeaderOtherLabelsFailOnTheFirstRow() {
        // RTE and WNLI share a header; the labels tell them apart.
        let error = dataError { try DataFixtures.read("glue/WNLI/train.tsv", task: .rte) }
        #expect(error == .unknownLabel(file: DataFixtures.url("glue/WNLI/train.tsv").path, line: 2, label: "1",
                                       known: ["entailment", "not_entailment"]))
    }

    @Test func skipBadRowsKeepsGoodRowsAndReportsTheRest() throws {
        let text = """
            sentence\tlabel
            good .\t1
            a\tstray tab\t0
            meh .\t2

            \t0
            bad .\t0
            """
        let result = try parse(text, task: .sst2, skipBadRows: true)
        #expect(result.examples == [
            Example(textA: "good .", label: "1", line: 2),
            Example(textA: "bad .", label: "0", line: 7),
        ])
        #expect(result.skipped.map(\.line) == [3, 4, 5, 6])
        #expect(result.skipped == [
            .wrongColumnCount(file: "train.tsv", line: 3, expected: 2, found: 3, separator: "\t", names: ["sentence", "label"]),
            .unknownLabel(file: "train.tsv", line: 4, label: "2", known: ["0", "1"]),
            .blankLine(file: "train.tsv", line: 5),
            .emptyText(file: "train.tsv", line: 6, column: "sentence"),
        ])
    }

    @Test func skipBadRowsStillStopsOnAWrongFile() {
        let error = dataError { try DataFixtures.read("glue/RTE/train.tsv", task: .sst2, skipBadRows: true) }
        guard case .wrongLayout = error else {
            Issue.record("expected wrongLayout, got \(String(describing: error))")
            return
        }
    }
}
