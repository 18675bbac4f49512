import ExemplarData
import Foundation
import Testing

@Suite("GLUE-style TSV")
struct GLUEReaderTests {
    @Test func sst2ReadsSentenceAndLabelWithLineNumbers() throws {
        let result = try DataFixtures.read("glue/SST-2/train.tsv", task: .sst2)
        #expect(result.examples.count == 5)
        #expect(result.skipped.isEmpty)
        #expect(result.examples[0] == Example(
            textA: "a stirring , funny and finally transporting re-imagining of beauty and the beast and 1930s horror films",
            label: "1", line: 2))
        #expect(result.examples[1].label == "0")
        #expect(result.examples.map(\.line) == [2, 3, 4, 5, 6])
        #expect(result.examples.allSatisfy { $0.textB == nil })
    }

    @Test func mrpcHeaderWithBOMAndLabelFirst() throws {
        let result = try DataFixtures.read("glue/MRPC/dev.tsv", task: .mrpc)
        #expect(result.examples.count == 3)
        let first = result.examples[0]
        #expect(first.label == "1")
        #expect(first.textA == "He said the foodservice pie business doesn 't fit the company 's long-term growth strategy .")
        #expect(first.textB == "\" The foodservice pie business does not fit our long-term growth strategy .")
        #expect(first.line == 2)
        #expect(result.examples.map(\.label) == ["1", "0", "0"])
    }

    @Test func mrpcWithoutBOMReadsToo() throws {
        let text = "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t1\t2\tA cat .\tA cat sat .\n"
        #expect(try parse(text, task: .mrpc).examples == [Example(textA: "A cat .", textB: "A cat sat .", label: "1", line: 2)])
    }

    @Test func rteAndWNLIPairs() throws {
        let rte = try DataFixtures.read("glue/RTE/train.tsv", task: .rte)
        #expect(rte.examples.first == Example(
            textA: "No Weapons of Mass Destruction Found in Iraq Yet.",
            textB: "Weapons of Mass Destruction Found in Iraq.", label: "not_entailment", line: 2))
        #expect(rte.examples.map(\.label) == ["not_entailment", "entailment", "entailment"])

        let wnli = try DataFixtures.read("glue/WNLI/train.tsv", task: .wnli)
        #expect(wnli.examples.map(\.label) == ["1", "1", "1", "0"])
        #expect(wnli.examples[3].textB == "Steve influences him hugely.")
    }

    @Test func colaHasNoHeaderAndTextInColumnFour() throws {
        let result = try DataFixtures.read("glue/CoLA/train.tsv", task: .cola)
        #expect(result.examples.map(\.line) == [1, 2, 3])
        #expect(result.examples.map(\.label) == ["1", "1", "0"])
        #expect(result.examples[2].textA == "They drank the pub.")
        #expect(result.examples[0].textA == "Our friends won't buy this analysis, let alone the next one we propose.")
    }

    @Test func mnliTrainAndDevHaveDifferentColumnCounts() throws {
        let train = try DataFixtures.read("glue/MNLI/train.tsv", task: .mnli)
        #expect(train.examples.count == 3)
        #expect(train.examples[0] == Example(
            textA: "Conceptually cream skimming has two basic dimensions - product and geography.",
            textB: "Product and geography are what make cream skimming work. ", label: "neutral", line: 2))
        let dev = try DataFixtures.read("glue/MNLI/dev_matched.tsv", task: .mnli)
        #expect(dev.examples.map(\.label) == ["neutral", "contradiction"])
        // gold_label (last column) wins over label1.
        #expect(dev.examples[0].textA == "The new rights are nice enough")
    }

    @Test func snliQNLIQQP() throws {
        let snli = try DataFixtures.read("glue/SNLI/train.tsv", task: .snli)
        #expect(snli.examples.map(\.label) == ["neutral", "contradiction"])
        #expect(snli.examples[1].textB == "A person is at a diner, ordering an omelette.")

        let qnli = try DataFixtures.read("glue/QNLI/dev.tsv", task: .qnli)
        #expect(qnli.examples[0].textA == "What came into force after the new constitution was herald?")
        #expect(qnli.examples.map(\.label) == ["entailment", "not_entailment"])

        let qqp = try DataFixtures.read("glue/QQP/dev.tsv", task: .qqp)
        #expect(qqp.examples.map(\.label) == ["0", "0", "1"])
        #expect(qqp.examples[2] == Example(
            textA: "Is there a reason why we should travel alone?",
            textB: "What are some reasons to travel alone?", label: "1", line: 4))
    }

    @Test func stsbKeepsScoresAsWritten() throws {
        let result = try DataFixtures.read("glue/STS-B/train.tsv", task: .stsb)
        #expect(result.examples.map(\.label) == ["5.000", "3.800", "3.800"])
        #expect(result.examples[1].textA == "A man is playing a large flute.")
        #expect(result.examples[1].textB == "A man is playing a flute.")
        #expect(result.examples.compactMap { Double($0.label) } == [5, 3.8, 3.8])
    }

    @Test func crlfAndMissingFinalNewline() throws {
        let result = try parse("sentence\tlabel\r\ngood .\t1\r\nbad .\t0", task: .sst2)
        #expect(result.examples == [
            Example(textA: "good .", label: "1", line: 2),
            Example(textA: "bad .", label: "0", line: 3),
        ])
    }

    @Test func linesAreTrimmedAsLMBFFDoes() throws {
        // `line.strip().split('\t')`: leading and trailing whitespace of the line goes; a space
        // before the tab (as in GLUE's SST-2 dev file) stays.
        let result = try parse("sentence\tlabel\n  good . \t1  \n\u{A0}ok .\t0\u{3000}\n", task: .sst2)
        #expect(result.examples == [
            Example(textA: "good . ", label: "1", line: 2),
            Example(textA: "ok .", label: "0", line: 3),
        ])
    }

    @Test func loneCarriageReturnsEndLines() throws {
        // Python's universal newlines, which LM-BFF's readers use.
        let result = try parse("gj04\t1\t\tOne.\rgj04\t0\t*\tTwo.\r", task: .cola)
        #expect(result.examples.map(\.line) == [1, 2])
        #expect(result.examples.map(\.textA) == ["One.", "Two."])
    }

    @Test func emptyFileHasNoRows() throws {
        #expect(try parse("", task: .sst2).examples.isEmpty)
        #expect(try parse("sentence\tlabel\n", task: .sst2).examples.isEmpty)
    }
}
