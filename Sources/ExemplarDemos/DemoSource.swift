import ExemplarData
import ExemplarIndex
import ExemplarIO
import ExemplarStore
import Foundation

/// Where a demonstration request's examples and vectors come from: a built index, or an
/// LM-BFF data folder with the embedding files its `tools/get_sbert_embedding.py` writes
/// (`DIR/{split}_NAME.npy`), with no index and no encoder.
public struct DemoSource: Sendable {
    /// How messages name the source (the index folder or data folder).
    public let name: String
    /// Every record and its vector.
    public let exact: ExactIndex
    public let task: LMBFFTask?
    /// Label groups: the task's (STS-B: median split), else the index's labels.
    public let grouping: DemoLabels
    /// Its splits, in LM-BFF's order.
    public let splits: [String]
    /// The index, when the source is one (its model must embed new query texts).
    public let index: LoadedIndex?

    /// Sentences per example: 2 for pairs.
    public var sentenceCount: Int { exact.records.first.map { $0.textB == nil ? 1 : 2 } ?? 1 }

    /// Records and vectors held in memory; the splits are the records' (deleted ones left out),
    /// the grouping the task's, else the index's label order.
    public init(name: String, exact: ExactIndex, task: LMBFFTask?) {
        self.name = name
        self.exact = exact
        self.task = task
        self.grouping = task.map(DemoLabels.init(task:)) ?? .classes(exact.labels)
        self.splits = DataSplit.ordered(Set(exact.records.map(\.split)).filter { !$0.hasPrefix("\u{0}") })
        self.index = nil
    }

    /// A built index.
    public init(index: LoadedIndex, name: String) {
        let task = index.manifest.task.flatMap(LMBFFTask.init(name:))
        self.name = name
        self.exact = index.exact
        self.task = task
        self.grouping = task.map(DemoLabels.init(task:)) ?? .classes(index.manifest.labels)
        self.splits = DataSplit.ordered(index.manifest.countsBySplit.keys)
        self.index = index
    }

    /// An LM-BFF data folder (`folder/{train,dev,test}.tsv|csv`) with its own embedding files
    /// `folder/{split}_NAME.npy`; splits without one are left out, train must have one.
    public init(lmbffFolder folder: URL, task: LMBFFTask, embeddings name: String) throws {
        var records: [IndexRecord] = []
        var vectors: [Float] = []
        var dimension = 0
        var splits: [String] = []
        for split in try SplitFolder.splits(in: folder, task: task) {
            let npy = folder.appendingPathComponent("\(split.name)_\(name).npy")
            guard FileManager.default.fileExists(atPath: npy.path) else { continue }
            let examples = try DatasetReader.read(split.url, task: task).examples
            guard let bytes = FileManager.default.contents(atPath: npy.path), let (shape, values) = NPY.decode([UInt8](bytes)),
                  shape.count == 2 else {
                throw DataError.wrongLayout(file: npy.relativePath, line: 1, reason: "not a float32 2-D .npy file")
            }
            guard shape[0] == examples.count, dimension == 0 || shape[1] == dimension else {
                throw DataError.wrongLayout(file: npy.relativePath, line: 1, reason: "shape [\(shape[0]), \(shape[1])], but \(split.url.relativePath) has \(examples.count) rows"
                    + (dimension == 0 ? "" : " and the other files \(dimension) columns"))
            }
            dimension = shape[1]
            splits.append(split.name)
            for e in examples {
                records.append(IndexRecord(id: UInt32(records.count), split: split.name, label: e.label,
                                           textA: e.textA, textB: e.textB, line: e.line))
            }
            vectors += values
        }
        guard splits.contains("train") else {
            throw DataError.cannotRead(file: folder.appendingPathComponent("train_\(name).npy").relativePath,
                                       reason: "no such file; make the files with LM-BFF's tools/get_sbert_embedding.py or exemplar export-lmbff")
        }
        self.name = folder.relativePath
        self.exact = ExactIndex(records: records, vectors: vectors, dimension: dimension, labelOrder: task.labels)
        self.task = task
        self.grouping = DemoLabels(task: task)
        self.splits = splits
        self.index = nil
    }
}
