import Foundation

/// Reads a labelled dataset file into examples, checking every row.
public enum DatasetReader {
    /// Reads `url`, a file of `task` in LM-BFF's layout.
    public static func read(_ url: URL, task: LMBFFTask, skipBadRows: Bool = false) throws(DataError) -> ReadResult {
        try read(url, layout: task.layout, labels: task.labelSpace, skipBadRows: skipBadRows)
    }

    /// Reads `url` laid out as `layout`. A bad row throws an error naming the file and line;
    /// with `skipBadRows` it is left out and listed in `skipped` instead. Errors about the
    /// whole file (unreadable, wrong header, another task's file) always throw.
    public static func read(_ url: URL, layout: DataLayout, labels: LabelSpace, skipBadRows: Bool = false) throws(DataError) -> ReadResult {
        let name = url.relativePath
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw .cannotRead(file: name, reason: "no such file")
        }
        if isFolder.boolValue { throw .cannotRead(file: name, reason: "it is a folder; name a file in it") }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .cannotRead(file: name, reason: "permission denied or not a regular file")
        }
        return try parse(data, name: name, layout: layout, labels: labels, skipBadRows: skipBadRows)
    }

    /// Parses the bytes of a whole file; `name` is the file name used in errors.
    public static func parse(_ data: Data, name: String, layout: DataLayout, labels: LabelSpace,
                             skipBadRows: Bool = false) throws(DataError) -> ReadResult {
        var rows = RowCollector(file: name, labels: labels, skipBadRows: skipBadRows)
        let bytes = [UInt8](data)
        try bytes.withUnsafeBufferPointer { (buffer) throws(DataError) in
            switch layout {
            case .glueTSV(let columns):
                try GLUEReader.read(buffer, layout: columns, into: &rows)
            case .headerlessCSV:
                try CSVReader.readHeaderless(buffer, into: &rows)
            case .jsonl(let textField, let textBField, let labelField):
                try JSONLReader.read(buffer, textField: textField, textBField: textBField, labelField: labelField, into: &rows)
            case .delimited(let separator, let textColumn, let textBColumn, let labelColumn):
                try CSVReader.readWithHeader(buffer, separator: separator, textColumn: textColumn, textBColumn: textBColumn,
                                             labelColumn: labelColumn, into: &rows)
            }
        }
        return rows.result
    }
}
