@testable import ExemplarData
import ExemplarTestSupport
import Foundation
import Testing

/// K-shot splits against files LM-BFF's algorithm wrote (scripts/make-kshot-fixtures.py).
@Suite struct KShotSamplerTests {
    static let root = DataFixtures.url("kshot")
    static let seeds: [UInt32] = [13, 21, 42, 87, 100]

    /// Every file of every seed, byte for byte: MRPC with K=4, sst-5 with K=2.
    @Test(arguments: [(LMBFFTask.mrpc, 4), (.sst5, 2)])
    func matchesLMBFFByteForByte(task: LMBFFTask, k: Int) throws {
        let source = try KShotSource(task: task, folder: Self.root.appendingPathComponent("original/\(task.name)"))
        try KShotSampler.check(source, k: k)
        for seed in Self.seeds {
            let split = KShotSampler.split(source, k: k, seed: seed)
            let expectedFolder = Self.root.appendingPathComponent("k-shot/\(task.name)/\(k)-\(seed)")
            let expectedNames = try FileManager.default.contentsOfDirectory(atPath: expectedFolder.path).sorted()
            #expect(split.files.map(\.name).sorted() == expectedNames, "\(task.name) \(k)-\(seed)")
            for (name, text) in split.files {
                let expected = try Data(contentsOf: expectedFolder.appendingPathComponent(name))
                #expect(Data(text.utf8) == expected, "\(task.name)/\(k)-\(seed)/\(name) differs")
            }
        }
    }

    @Test func labelCountsAndOrder() throws {
        let source = try KShotSource(task: .sst5, folder: Self.root.appendingPathComponent("original/sst-5"))
        #expect(source.labelCounts.map(\.label) == ["4", "3", "2", "1", "0"])
        #expect(source.labelCounts.map(\.count).reduce(0, +) == source.rows.count)
        let split = KShotSampler.split(source, k: 2, seed: 42)
        #expect(split.folder == "2-42")
        #expect(split.trainCounts.allSatisfy { $0.count == 2 } && split.devCounts.allSatisfy { $0.count == 2 })
        // The labels appear in first-seen order of the shuffled rows: the train file's order.
        let firstColumn = split.files[0].text.split(separator: "\n").map { String($0.prefix(1)) }
        var seen: [String] = []
        for label in firstColumn where !seen.contains(label) { seen.append(label) }
        #expect(seen == split.trainCounts.map(\.label))
    }

    @Test func tooFewRowsForK() throws {
        let source = try KShotSource(task: .mrpc, folder: Self.root.appendingPathComponent("original/MRPC"))
        // MRPC fixture: 8 rows of label 0, 14 of label 1.
        #expect(throws: KShotError.self) { try KShotSampler.check(source, k: 4, devMultiple: 10) }
        do {
            try KShotSampler.check(source, k: 5)
            Issue.record("K=5 needs 10 rows of label 0, which has 8")
        } catch {
            guard case .notEnoughExamples(_, _, let label, let count, let needed, _) = error else { Issue.record("\(error)"); return }
            #expect(label == "0" && count == 8 && needed == 10)
            #expect(error.description.contains("--allow-short"))
        }
        // Short splits, as LM-BFF's script writes them.
        let split = KShotSampler.split(source, k: 5, seed: 13)
        #expect(split.devCounts.first { $0.label == "0" }?.count == 3)
    }

    @Test func mnliSplitNames() throws {
        let folder = try TemporaryFolder.create("kshot-mnli")
        defer { TemporaryFolder.remove(folder) }
        let header = "index\tsentence1\tsentence2\tgold_label\n"
        let rows = (0..<6).map { "\($0)\ta \($0)\tb \($0)\t\(["entailment", "neutral", "contradiction"][$0 % 3])\n" }
        try Data((header + rows.joined()).utf8).write(to: folder.appendingPathComponent("train.tsv"))
        try Data((header + rows[0]).utf8).write(to: folder.appendingPathComponent("dev_matched.tsv"))
        try Data((header + rows[1] + "x").utf8).write(to: folder.appendingPathComponent("dev_mismatched.tsv"))
        let split = KShotSampler.split(try KShotSource(task: .mnli, folder: folder), k: 1, seed: 42)
        #expect(split.files.map(\.name) == ["train.tsv", "dev_matched.tsv", "test_matched.tsv", "test_mismatched.tsv"])
        #expect(split.files[3].text == header + rows[1] + "x")
    }

    @Test func stsbLabelsSplitAt2Point5() throws {
        #expect(try KShotSource.glueLabel(task: .stsb, line: "a\tb\t2.499\n", file: "f", lineNumber: 2) == "0")
        #expect(try KShotSource.glueLabel(task: .stsb, line: "a\tb\t2.5 \n", file: "f", lineNumber: 2) == "1")
        #expect(throws: KShotError.self) { try KShotSource.glueLabel(task: .stsb, line: "a\tb\tgood\n", file: "f", lineNumber: 2) }
        #expect(throws: KShotError.self) { try KShotSource.glueLabel(task: .cola, line: "only-one-field\n", file: "f", lineNumber: 1) }
    }

    @Test func missingFolderAndFiles() {
        let missing = Self.root.appendingPathComponent("original/RTE")
        #expect(throws: KShotError.self) { try KShotSource(task: .rte, folder: missing) }
        do {
            _ = try KShotSource(task: .rte, folder: Self.root.appendingPathComponent("original/sst-5"))
            Issue.record("an sst-5 folder has no train.tsv")
        } catch {
            #expect(error.description.contains("train.tsv"))
        }
    }
}

/// pandas' CSV round trip and Python's text lines, on small inputs.
@Suite struct KShotTextTests {
    func roundTrip(_ csv: String) throws(KShotError) -> String {
        try PandasCSV.read(Array(csv.utf8), file: "t.csv").map(PandasCSV.format).joined()
    }

    @Test func pandasNAStringsBecomeEmptyCells() throws {
        #expect(try roundTrip("1,NA\n2,\"null\"\n3,None\n4,n/a\n5,\n6\n") == "1,\n2,\n3,None\n4,\n5,\n6,\n")
    }

    @Test func pandasQuotingAndLabels() throws {
        #expect(try roundTrip("\u{FEFF} 7 ,\"a, b\"\n\n   \n+2,\"say \"\"hi\"\"\"\n3,\"x\"y\n0,\"l1\r\nl2\"\r\n")
            == "7,\"a, b\"\n2,\"say \"\"hi\"\"\"\n3,xy\n0,\"l1\r\nl2\"\n")
        #expect(PandasCSV.quoted("a\rb") == "a\rb")
        #expect(throws: KShotError.self) { try roundTrip("1.0,x\n") }
        #expect(throws: KShotError.self) { try roundTrip("1,x\n2,y,z\n") }
        #expect(throws: KShotError.self) { try roundTrip("1,\"open\n") }
        do {
            _ = try roundTrip("0,ok\npositive,x\n")
        } catch {
            #expect(error == .labelNotInteger(file: "t.csv", line: 2, value: "positive"))
        }
    }

    @Test func pythonUniversalNewlines() throws {
        let lines = try PythonText.readLines(Array("\u{FEFF}h\r\na\rb\n\nc".utf8), file: "t.tsv")
        #expect(lines == ["\u{FEFF}h\n", "a\n", "b\n", "\n", "c"])
        #expect(throws: KShotError.self) { try PythonText.readLines([0x61, 0x0A, 0xFF, 0x0A], file: "t.tsv") }
        #expect(PythonText.stripSplitTabs(" x\t\ty \u{00A0}\n") == ["x", "", "y"])
    }
}
