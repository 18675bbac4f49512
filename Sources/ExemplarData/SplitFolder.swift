import Foundation

/// One split file of a data folder: its name ("train", "dev_matched") and where it is.
public struct DataSplit: Sendable, Hashable {
    public var name: String
    public var url: URL

    public init(name: String, url: URL) {
        self.name = name
        self.url = url
    }
}

extension DataSplit {
    /// Split names in LM-BFF's order (train, dev, dev_matched, dev_mismatched, test, ...), others after, by name.
    public static func ordered(_ names: some Sequence<String>) -> [String] {
        let known = ["train", "dev", "dev_matched", "dev_mismatched", "test", "test_matched", "test_mismatched"]
        return names.sorted { a, b in
            let x = known.firstIndex(of: a) ?? known.count, y = known.firstIndex(of: b) ?? known.count
            return x != y ? x < y : a < b
        }
    }
}

/// LM-BFF's data folders: `data/k-shot/TASK/16-42/` (train, dev, test) or `data/original/TASK/`.
public enum SplitFolder {
    /// The split files in `folder`, in the order of `task.splitNames` (train, dev, test; for
    /// MNLI train, dev_matched, dev_mismatched, test_matched, test_mismatched), those present.
    /// Throws when the folder or its train file is missing.
    public static func splits(in folder: URL, task: LMBFFTask) throws(DataError) -> [DataSplit] {
        let files = FileManager.default
        var isFolder: ObjCBool = false
        guard files.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw .cannotRead(file: folder.relativePath, reason: "no such folder")
        }
        let splits = task.splitNames.compactMap { name -> DataSplit? in
            let url = folder.appendingPathComponent("\(name).\(task.fileExtension)")
            return files.fileExists(atPath: url.path) ? DataSplit(name: name, url: url) : nil
        }
        guard splits.first?.name == "train" else {
            let train = folder.appendingPathComponent("train.\(task.fileExtension)")
            var reason = "no such file; an LM-BFF \(task.name) folder holds train, dev and test .\(task.fileExtension) files"
            let other = task.fileExtension == "tsv" ? "csv" : "tsv"
            if files.fileExists(atPath: folder.appendingPathComponent("train.\(other)").path) {
                reason += "; this one has train.\(other): is it another task's folder?"
            }
            throw .cannotRead(file: train.relativePath, reason: reason)
        }
        return splits
    }
}
