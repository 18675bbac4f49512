import Foundation

/// A task's original data as LM-BFF's `tools/generate_k_shot_data.py` reads it, kept as the
/// exact text that script writes back: each training row's output line and its label, and
/// the files it copies as test splits.
///
/// GLUE tasks (TSV) are read as Python text lines (universal newlines, see `PythonText`): the
/// header line (none for CoLA) is set aside, and the label is LM-BFF's `get_label` of
/// `line.strip().split('\t')` (MRPC the first column, CoLA the second, STS-B "0" below 2.5 else
/// "1", the others the last). CSV tasks go through pandas' reading and writing (`PandasCSV`);
/// their label is column 0.
public struct KShotSource: Sendable {
    /// One file written as-is into every k-shot folder ("test.tsv", its text).
    public struct CopiedFile: Sendable, Hashable {
        /// The name in the k-shot folder ("test.tsv", "test_matched.tsv", "test.csv").
        public var name: String
        /// The exact text written.
        public var text: String
    }

    /// The task the folder holds.
    public let task: LMBFFTask
    /// The header line(s) written before train and dev rows ("" for CSV tasks and CoLA).
    public let header: String
    /// Each training row's text as the k-shot files write it, line break included, in file order.
    public let rows: [String]
    /// Each training row's label key, as LM-BFF groups rows.
    public let labels: [String]
    /// The test splits: GLUE's dev file(s) renamed (`dev` → `test`), or the CSV test file rewritten.
    public let copiedFiles: [CopiedFile]
    /// Where the training rows came from, for messages.
    public let trainFile: String

    /// Reads `folder` (`data/original/TASK`) for `task`.
    public init(task: LMBFFTask, folder: URL) throws(KShotError) {
        self.task = task
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw .data(.cannotRead(file: folder.relativePath, reason: "no such folder; the data folder must hold one folder per task, named as LM-BFF's data/original does (\(task.name))"))
        }
        let ext = task.fileExtension
        func url(_ split: String) -> URL { folder.appendingPathComponent("\(split).\(ext)") }
        let train = url("train")
        trainFile = train.relativePath
        if task.layout == .headerlessCSV {
            let rows = try PandasCSV.read(Self.bytes(train), file: trainFile)
            header = ""
            self.rows = rows.map(PandasCSV.format)
            labels = rows.map { String($0.label) }
            let test = url("test")
            let testRows = try PandasCSV.read(Self.bytes(test), file: test.relativePath)
            copiedFiles = [CopiedFile(name: "test.csv", text: testRows.map(PandasCSV.format).joined())]
        } else {
            var lines = try PythonText.readLines(Self.bytes(train), file: trainFile)
            let hasHeader = task != .cola
            header = hasHeader && !lines.isEmpty ? lines.removeFirst() : ""
            var labels: [String] = []
            labels.reserveCapacity(lines.count)
            for (index, line) in lines.enumerated() {
                labels.append(try Self.glueLabel(task: task, line: line, file: trainFile, lineNumber: index + (hasHeader ? 2 : 1)))
            }
            self.rows = lines
            self.labels = labels
            let devSplits = task == .mnli ? ["dev_matched", "dev_mismatched"] : ["dev"]
            var copied: [CopiedFile] = []
            for split in devSplits {
                let dev = url(split)
                let text = try PythonText.readLines(Self.bytes(dev), file: dev.relativePath).joined()
                copied.append(CopiedFile(name: split.replacingOccurrences(of: "dev", with: "test") + ".tsv", text: text))
            }
            copiedFiles = copied
        }
    }

    /// Each label with its number of training rows, labels in first-seen file order.
    public var labelCounts: [(label: String, count: Int)] {
        var order: [String] = []
        var counts: [String: Int] = [:]
        for label in labels {
            if counts[label] == nil { order.append(label) }
            counts[label, default: 0] += 1
        }
        return order.map { ($0, counts[$0]!) }
    }

    /// LM-BFF's `get_label` for a GLUE line.
    static func glueLabel(task: LMBFFTask, line: String, file: String, lineNumber: Int) throws(KShotError) -> String {
        let fields = PythonText.stripSplitTabs(line)
        switch task {
        case .cola:
            guard fields.count >= 2 else {
                throw .data(.wrongColumnCount(file: file, line: lineNumber, expected: 4, found: fields.count,
                                              separator: "\t", names: task.glueColumns?.columns ?? []))
            }
            return String(fields[1])
        case .mrpc:
            return String(fields[0])
        case .stsb:
            guard let score = PythonText.float(fields[fields.count - 1]) else {
                throw .data(.notANumber(file: file, line: lineNumber, label: String(fields[fields.count - 1])))
            }
            return score < 2.5 ? "0" : "1"
        default:
            return String(fields[fields.count - 1])
        }
    }

    private static func bytes(_ url: URL) throws(KShotError) -> [UInt8] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), !isFolder.boolValue else {
            throw .data(.cannotRead(file: url.relativePath, reason: "no such file; LM-BFF's original folders hold train and dev .tsv (GLUE) or train and test .csv files"))
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .data(.cannotRead(file: url.relativePath, reason: "permission denied or not a regular file"))
        }
        return [UInt8](data)
    }
}
