import ExemplarData
import Foundation
import Testing

@Suite("LM-BFF tasks")
struct LMBFFTaskTests {
    @Test func namesMatchIgnoringCase() {
        #expect(LMBFFTask(name: "sst-2") == .sst2)
        #expect(LMBFFTask(name: "SST-2") == .sst2)
        #expect(LMBFFTask(name: "mnli") == .mnli)
        #expect(LMBFFTask(name: "sts-b") == .stsb)
        #expect(LMBFFTask(name: "SST-5") == .sst5)
        #expect(LMBFFTask(name: "cola") == .cola)
        #expect(LMBFFTask(name: "sst2") == nil)
        #expect(LMBFFTask.allCases.count == 16)
        #expect(LMBFFTask.allCases.allSatisfy { LMBFFTask(name: $0.name.uppercased()) == $0 })
    }

    @Test func labelListsAsInProcessors() {
        for task in [LMBFFTask.sst2, .cola, .mrpc, .qqp, .mr, .cr, .mpqa, .subj, .wnli] {
            #expect(task.labels == ["0", "1"], "\(task)")
        }
        #expect(LMBFFTask.mnli.labels == ["contradiction", "entailment", "neutral"])
        #expect(LMBFFTask.snli.labels == ["contradiction", "entailment", "neutral"])
        #expect(LMBFFTask.qnli.labels == ["entailment", "not_entailment"])
        #expect(LMBFFTask.rte.labels == ["entailment", "not_entailment"])
        #expect(LMBFFTask.sst5.labels == ["0", "1", "2", "3", "4"])
        #expect(LMBFFTask.trec.labels == ["0", "1", "2", "3", "4", "5"])
        #expect(LMBFFTask.stsb.labels == nil)
        #expect(LMBFFTask.stsb.isRegression)
        #expect(LMBFFTask.stsb.labelSpace == .regression)
        #expect(LMBFFTask.allCases.filter(\.isRegression) == [.stsb])
    }

    @Test func layoutsAndExtensions() {
        let csvTasks: [LMBFFTask] = [.sst5, .mr, .cr, .mpqa, .subj, .trec]
        for task in LMBFFTask.allCases {
            if csvTasks.contains(task) {
                #expect(task.layout == .headerlessCSV)
                #expect(task.fileExtension == "csv")
            } else {
                guard case .glueTSV(let columns) = task.layout else {
                    Issue.record("\(task) should be GLUE-style TSV")
                    continue
                }
                #expect(columns.task == task.name)
                #expect(task.fileExtension == "tsv")
            }
        }
    }

    /// `get_sbert_embedding.py`'s sentence per task: pairs joined with one space.
    @Test func lmbffSentencePerTask() throws {
        let cases: [(String, LMBFFTask, String)] = [
            ("glue/SST-2/train.tsv", .sst2,
             "a stirring , funny and finally transporting re-imagining of beauty and the beast and 1930s horror films"),
            ("glue/CoLA/train.tsv", .cola, "Our friends won't buy this analysis, let alone the next one we propose."),
            ("glue/MRPC/dev.tsv", .mrpc,
             "He said the foodservice pie business doesn 't fit the company 's long-term growth strategy . \" The foodservice pie business does not fit our long-term growth strategy ."),
            ("glue/QQP/dev.tsv", .qqp, "Why are African-Americans so beautiful? Why are hispanics so beautiful?"),
            ("glue/QNLI/dev.tsv", .qnli,
             "What came into force after the new constitution was herald? As of that day, the new constitution heralding the Second Republic came into force."),
            ("glue/RTE/train.tsv", .rte, "No Weapons of Mass Destruction Found in Iraq Yet. Weapons of Mass Destruction Found in Iraq."),
            ("glue/WNLI/train.tsv", .wnli,
             "I stuck a pin through a carrot. When I pulled the pin out, it had a hole. The carrot had a hole."),
            ("glue/MNLI/train.tsv", .mnli,
             "Conceptually cream skimming has two basic dimensions - product and geography. Product and geography are what make cream skimming work. "),
            ("glue/SNLI/train.tsv", .snli,
             "A person on a horse jumps over a broken down airplane. A person is training his horse for a competition."),
            ("glue/STS-B/train.tsv", .stsb, "A plane is taking off. An air plane is taking off."),
            ("csv/sst-5.csv", .sst5,
             "a stirring , funny and finally transporting re-imagining of beauty and the beast and 1930s horror films"),
        ]
        for (path, task, sentence) in cases {
            let first = try #require(try DataFixtures.read(path, task: task).examples.first)
            #expect(first.lmbffSentence == sentence, "\(task)")
        }
        // An empty CSV cell embeds as ''.
        let empty = try DataFixtures.read("csv/sst-5.csv", task: .sst5).examples.first { $0.line == 6 }
        #expect(empty?.lmbffSentence == "")
    }
}
