import ExemplarData
import ExemplarStore
import Foundation

/// The records an index definition describes, read from its data files.
public struct IndexSource: Sendable {
    /// Every record, ids 0..<n in order: the splits in LM-BFF's order, each in file order.
    public var records: [IndexRecord]
    /// The label list, in per-class order.
    public var labels: [String]
    /// The files read, in order.
    public var files: [String]
    /// Bad rows left out because of `skipBadRows`.
    public var skipped: [DataError]

    /// Reads the data `definition` names; paths are resolved against `base` (the index folder).
    public static func load(_ definition: IndexDefinition, base: URL, skipBadRows: Bool? = nil) throws(IndexError) -> IndexSource {
        let skip = skipBadRows ?? definition.skipBadRows
        let url = resolve(definition.data, base: base)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw .data(.cannotRead(file: url.relativePath, reason: "no such file or folder (index.json's \"data\" is relative to the index folder)"))
        }
        let splits: [DataSplit]
        if isFolder.boolValue {
            guard let task = definition.task else {
                throw .definition(file: IndexDefinition.file(in: base).relativePath, field: "data",
                                  message: "is a folder; a folder source needs \"task\" (an LM-BFF data folder), or name a file")
            }
            do { splits = try SplitFolder.splits(in: url, task: task) } catch { throw .data(error) }
        } else {
            splits = [DataSplit(name: definition.split, url: url)]
        }
        let layout = Self.layout(definition)
        let space: LabelSpace = definition.task?.labelSpace ?? definition.labels.map(LabelSpace.classes) ?? .any
        var records: [IndexRecord] = []
        var skipped: [DataError] = []
        for split in splits {
            let result: ReadResult
            do { result = try DatasetReader.read(split.url, layout: layout, labels: space, skipBadRows: skip) } catch { throw .data(error) }
            skipped += result.skipped
            for example in result.examples {
                records.append(IndexRecord(id: UInt32(records.count), split: split.name, label: example.label,
                                           textA: example.textA, textB: example.textB, line: example.line))
            }
        }
        var labels = definition.labels ?? definition.task?.labels ?? []
        if labels.isEmpty {
            let seen = Set(records.map(\.label))
            labels = seen.sorted { a, b in
                if let x = Double(a), let y = Double(b), x != y { return x < y }
                return a < b
            }
        }
        return IndexSource(records: records, labels: labels, files: splits.map { $0.url.relativePath }, skipped: skipped)
    }

    static func resolve(_ path: String, base: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: path, relativeTo: base)
    }

    static func layout(_ d: IndexDefinition) -> DataLayout {
        switch d.format {
        case .lmbff:
            return d.task?.layout ?? .headerlessCSV
        case .jsonl:
            return .jsonl(textField: d.textColumn, textBField: d.textBColumn, labelField: d.labelColumn)
        case .csv, .tsv:
            return .delimited(separator: d.format == .tsv ? "\t" : ",", textColumn: d.textColumn,
                              textBColumn: d.textBColumn, labelColumn: d.labelColumn)
        }
    }
}

extension IndexSource {
    /// `path` from an index.json resolved against the index folder, as a path string.
    public static func resolvedPath(_ path: String, base: URL) -> String {
        resolve(path, base: base).path
    }
}
