import ExemplarData
import ExemplarEncoder
import ExemplarJSON
import Foundation

/// What an index is built from: `indexes/NAME/index.json`.
///
/// ```json
/// {"task": "SST-2", "data": "16-42"}
/// {"data": "reviews.jsonl", "format": "jsonl", "text_column": "text", "label_column": "label",
///  "labels": ["neg", "pos"], "split": "train"}
/// ```
/// Paths are relative to the index folder. A task name (one of LM-BFF's) implies the format,
/// columns and labels; a folder `data` is an LM-BFF data folder (train, dev, test files).
public struct IndexDefinition: Sendable, Equatable {
    /// The file formats an index can read.
    public enum Format: String, Sendable, CaseIterable {
        /// LM-BFF's own layout for `task` (GLUE TSV or header-less `label,sentence` CSV).
        case lmbff
        case jsonl, csv, tsv
    }

    /// A dataset file or an LM-BFF data folder, relative to the index folder (or absolute).
    public var data: String
    /// One of LM-BFF's task names ("SST-2", "sst-5", "RTE", ...).
    public var task: LMBFFTask?
    public var format: Format
    /// Field or column names for generic formats.
    public var textColumn: String
    public var textBColumn: String?
    public var labelColumn: String
    /// The label list in per-class order; default the task's, else the data's labels sorted.
    public var labels: [String]?
    /// The split name of a single-file source (default "train").
    public var split: String
    /// Model folder, relative to the index folder or absolute; default: the model locator's.
    public var model: String?
    /// Leave out malformed rows (counted and reported) instead of failing.
    public var skipBadRows: Bool
    /// How the documents are embedded (`prompt_name`, `prompt`, `dimensions`), and the prompt for
    /// queries when not theirs (`query_prompt_name`, `query_prompt`); empty: the model's defaults.
    public var embedding = EmbeddingOptions()
    public var queryPrompt = EmbeddingOptions()

    public init(data: String, task: LMBFFTask? = nil, format: Format? = nil, textColumn: String = "text",
                textBColumn: String? = nil, labelColumn: String = "label", labels: [String]? = nil,
                split: String = "train", model: String? = nil, skipBadRows: Bool = false) {
        self.data = data
        self.task = task
        self.format = format ?? Self.defaultFormat(data: data, task: task)
        self.textColumn = textColumn
        self.textBColumn = textBColumn
        self.labelColumn = labelColumn
        self.labels = labels
        self.split = split
        self.model = model
        self.skipBadRows = skipBadRows
    }

    static func defaultFormat(data: String, task: LMBFFTask?) -> Format {
        if task != nil { return .lmbff }
        switch (data as NSString).pathExtension.lowercased() {
        case "jsonl", "json": return .jsonl
        case "tsv": return .tsv
        default: return .csv
        }
    }

    /// The definition file of an index folder.
    public static func file(in folder: URL) -> URL { folder.appendingPathComponent("index.json") }

    static let keys: [String] = ["data", "task", "format", "text_column", "text_b_column", "label_column",
                                 "labels", "split", "model", "skip_bad_rows",
                                 "prompt_name", "prompt", "dimensions", "query_prompt_name", "query_prompt"]

    /// Reads `folder/index.json`; errors name the field at fault.
    public static func load(folder: URL) throws(IndexError) -> IndexDefinition {
        let url = file(in: folder)
        let name = url.relativePath
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .notAnIndex(path: folder.relativePath, reason: "no index.json in it; make one, or build with --data PATH --out \(folder.relativePath)")
        }
        return try parse(data, name: name)
    }

    /// Parses the JSON of a definition; `name` names the file in errors. `null` counts as absent.
    public static func parse(_ data: Data, name: String) throws(IndexError) -> IndexDefinition {
        let parsed = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Result<JSONValue, JSONError> in
            do throws(JSONError) {
                return .success(try JSONParser.parse(raw.bindMemory(to: UInt8.self)))
            } catch {
                return .failure(error)
            }
        }
        let object: JSONReader
        switch parsed {
        case .failure(.syntax(let message, let offset)):
            throw .definition(file: name, field: nil, message: "is not valid JSON (\(message) at byte \(offset))")
        case .failure(let error):
            throw .definition(file: name, field: nil, message: error.reason)
        case .success(let value):
            guard case .object = value else {
                throw .definition(file: name, field: nil, message: "must be a JSON object")
            }
            object = JSONReader(value: value, path: "")
        }
        for key in object.keys where !keys.contains(key) {
            throw .definition(file: name, field: key, message: "unknown field; known fields: \(keys.joined(separator: ", "))")
        }
        func string(_ key: String) throws(IndexError) -> String? {
            guard let value = object.field(key) else { return nil }
            guard case .string(let s) = value, !s.isEmpty else {
                throw .definition(file: name, field: key, message: "must be a non-empty string")
            }
            return s
        }
        guard let source = try string("data") else {
            throw .definition(file: name, field: "data", message: "is required: a dataset file or LM-BFF data folder, relative to the index folder")
        }
        var task: LMBFFTask?
        if let t = try string("task") {
            guard let known = LMBFFTask(name: t) else {
                throw .definition(file: name, field: "task", message: "unknown task \"\(t)\"; tasks: \(LMBFFTask.allCases.map(\.name).joined(separator: ", "))")
            }
            task = known
        }
        var format: Format?
        if let f = try string("format") {
            guard let known = Format(rawValue: f) else {
                throw .definition(file: name, field: "format", message: "must be one of \(Format.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(f)\"")
            }
            if known == .lmbff && task == nil {
                throw .definition(file: name, field: "format", message: "\"lmbff\" needs \"task\" to say which task's layout")
            }
            format = known
        }
        var labels: [String]?
        if let raw = object.field("labels") {
            guard let list = raw.arrayValue, !list.isEmpty else {
                throw .definition(file: name, field: "labels", message: "must be a non-empty array of strings")
            }
            labels = try list.map { (item) throws(IndexError) -> String in
                switch item {
                case .string(let s): return s
                // A number label as the data reader prints it: an integer as digits, else as a Double.
                case .number(let n): return Int(exactly: n).map { String($0) } ?? String(n)
                default: throw .definition(file: name, field: "labels", message: "must hold strings, got \(item.text)")
                }
            }
            if Set(labels!).count != labels!.count {
                throw .definition(file: name, field: "labels", message: "lists a label twice")
            }
            if let task, let taskLabels = task.labels, Set(taskLabels) != Set(labels!) {
                throw .definition(file: name, field: "labels", message: "\(task.name)'s labels are \(taskLabels.joined(separator: ", ")); list those (in any order) or leave the field out")
            }
        }
        var skip = false
        if let raw = object.field("skip_bad_rows") {
            guard case .bool(let b) = raw else {
                throw .definition(file: name, field: "skip_bad_rows", message: "must be true or false")
            }
            skip = b
        }
        // A prompt may be "" (no prompt, not even the model's default).
        func text(_ key: String) throws(IndexError) -> String? {
            guard let value = object.field(key) else { return nil }
            guard case .string(let s) = value else {
                throw .definition(file: name, field: key, message: "must be a string")
            }
            return s
        }
        var dimensions: Int?
        if let raw = object.field("dimensions") {
            guard case .number(let n) = raw, let d = Int(exactly: n), d >= 1 else {
                throw .definition(file: name, field: "dimensions", message: "must be a positive integer (the Matryoshka dimension to keep)")
            }
            dimensions = d
        }
        var definition = IndexDefinition(
            data: source, task: task, format: format, textColumn: try string("text_column") ?? "text",
            textBColumn: try string("text_b_column"), labelColumn: try string("label_column") ?? "label",
            labels: labels, split: try string("split") ?? "train", model: try string("model"), skipBadRows: skip)
        definition.embedding = EmbeddingOptions(promptName: try string("prompt_name"), prompt: try text("prompt"), dimensions: dimensions)
        definition.queryPrompt = EmbeddingOptions(promptName: try string("query_prompt_name"), prompt: try text("query_prompt"))
        return definition
    }

    /// The definition as indented JSON with sorted keys (fields at their defaults left out).
    public func json() -> Data {
        var fields: [(String, JSONValue)] = [("data", .string(data))]
        if let task { fields.append(("task", .string(task.name))) }
        if format != Self.defaultFormat(data: data, task: task) { fields.append(("format", .string(format.rawValue))) }
        if format != .lmbff {
            if textColumn != "text" { fields.append(("text_column", .string(textColumn))) }
            if let textBColumn { fields.append(("text_b_column", .string(textBColumn))) }
            if labelColumn != "label" { fields.append(("label_column", .string(labelColumn))) }
        }
        if let labels { fields.append(("labels", .strings(labels))) }
        if split != "train" { fields.append(("split", .string(split))) }
        if let model { fields.append(("model", .string(model))) }
        if skipBadRows { fields.append(("skip_bad_rows", .bool(true))) }
        if let v = embedding.promptName { fields.append(("prompt_name", .string(v))) }
        if let v = embedding.prompt { fields.append(("prompt", .string(v))) }
        if let v = embedding.dimensions { fields.append(("dimensions", .int(v))) }
        if let v = queryPrompt.promptName { fields.append(("query_prompt_name", .string(v))) }
        if let v = queryPrompt.prompt { fields.append(("query_prompt", .string(v))) }
        fields.sort { $0.0 < $1.0 }
        return Data((JSONValue.object(fields).prettyText + "\n").utf8)
    }

    /// Writes `folder/index.json`, creating the folder.
    public func write(to folder: URL) throws(IndexError) {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try json().write(to: Self.file(in: folder), options: .atomic)
        } catch {
            throw .notAnIndex(path: folder.relativePath, reason: "cannot write index.json: \(error.localizedDescription)")
        }
    }
}
