import ExemplarData
import Foundation
import Testing

@Suite("LM-BFF data folders")
struct SplitFolderTests {
    @Test func kShotSST2Folder() throws {
        let folder = DataFixtures.url("k-shot/SST-2/16-42")
        let splits = try SplitFolder.splits(in: folder, task: .sst2)
        #expect(splits.map(\.name) == ["train", "dev", "test"])
        #expect(splits.map(\.url.lastPathComponent) == ["train.tsv", "dev.tsv", "test.tsv"])

        let read = try splits.map { split throws(DataError) in try DatasetReader.read(split.url, task: .sst2).examples }
        #expect(read.map(\.count) == [4, 4, 3])
        // k-shot train and dev are grouped by label, in first-seen order.
        #expect(read[0].map(\.label) == ["0", "0", "1", "1"])
        #expect(read[0][0] == Example(textA: "... overly melodramatic ...", label: "0", line: 2))
        #expect(read[0][2].textA == "(westbrook) makes a wonderful subject for the camera .")
        #expect(read[2][0] == Example(textA: "one long string of cliches .", label: "0", line: 2))
    }

    @Test func kShotCSVFolder() throws {
        let splits = try SplitFolder.splits(in: DataFixtures.url("k-shot/sst-5/16-42"), task: .sst5)
        #expect(splits.map(\.url.lastPathComponent) == ["train.csv", "dev.csv", "test.csv"])
        let train = try DatasetReader.read(splits[0].url, task: .sst5)
        #expect(train.examples.map(\.label) == ["3", "3", "4", "4", "1", "1", "2", "2", "0", "0"])
        #expect(train.examples.map(\.line) == Array(1...10))
    }

    @Test func mnliFolderUsesMatchedNames() throws {
        let splits = try SplitFolder.splits(in: DataFixtures.url("k-shot/MNLI/16-42"), task: .mnli)
        #expect(splits.map(\.name) == ["train", "dev_matched", "test_matched"])
        let test = try DatasetReader.read(splits[2].url, task: .mnli)
        #expect(test.examples.count == 2)
    }

    @Test func missingFolderOrTrainFile() {
        let nowhere = DataFixtures.url("k-shot/SST-2/16-99")
        let error = dataError { try SplitFolder.splits(in: nowhere, task: .sst2) }
        #expect(error == .cannotRead(file: nowhere.path, reason: "no such folder"))

        let wrongTask = dataError { try SplitFolder.splits(in: DataFixtures.url("k-shot/sst-5/16-42"), task: .sst2) }
        #expect(wrongTask?.description.contains("train.tsv: cannot read (no such file;") == true)
        #expect(wrongTask?.description.contains("this one has train.csv: is it another task's folder?") == true)
    }
}
