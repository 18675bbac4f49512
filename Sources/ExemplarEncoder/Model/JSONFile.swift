import ExemplarJSON
import Foundation

/// A JSON object read from a model file (config.json, tokenizer.json, ...), with typed
/// accessors whose errors name the file and the field's JSON path (`"truncation.max_length"
/// must be an integer`).
struct JSONFile {
    /// The file, for errors.
    let path: String
    /// The object, and its path inside the file ("" at the top).
    let reader: JSONReader

    init(path: String, reader: JSONReader) {
        self.path = path
        self.reader = reader
    }

    /// An empty object standing for a file that is not there.
    init(emptyAt path: String) {
        self.init(path: path, reader: JSONReader(value: .object([]), path: ""))
    }

    /// Reads `url` as a JSON object; `nil` when the file does not exist.
    static func readIfPresent(_ url: URL) throws(EncoderError) -> JSONFile? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try read(url)
    }

    static func read(_ url: URL) throws(EncoderError) -> JSONFile {
        try object(document(url), path: url.path)
    }

    /// The JSON document in `url`, whatever its type.
    static func document(_ url: URL) throws(EncoderError) -> JSONValue {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .missingFile(path: url.path)
        }
        return try document(data, path: url.path)
    }

    /// Parses `data` as one JSON document; a syntax error names `path` and the byte.
    static func document(_ data: Data, path: String) throws(EncoderError) -> JSONValue {
        let result = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Result<JSONValue, JSONError> in
            do throws(JSONError) {
                return .success(try JSONParser.parse(raw.bindMemory(to: UInt8.self)))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw .invalidModelFile(path: path, reason: error.description)
        }
    }

    static func parse(_ data: Data, path: String) throws(EncoderError) -> JSONFile {
        try object(document(data, path: path), path: path)
    }

    private static func object(_ value: JSONValue, path: String) throws(EncoderError) -> JSONFile {
        guard case .object = value else {
            throw .invalidModelFile(path: path, reason: "expected a JSON object at the top level")
        }
        return JSONFile(path: path, reader: JSONReader(value: value, path: ""))
    }

    /// The JSON path of `key` in this object (`model.vocab`).
    func name(_ key: String) -> String { reader.name(key) }

    /// An error about `key`: `"model.vocab" must be an object`.
    func error(_ key: String, _ reason: String) -> EncoderError {
        .invalidModelFile(path: path, reason: "\"\(name(key))\" \(reason)")
    }

    /// The field's value, `null` counting as absent.
    func field(_ key: String) -> JSONValue? { reader.field(key) }

    /// The fields of this object, in file order.
    var fields: [(String, JSONValue)] { reader.value.objectFields ?? [] }

    func has(_ key: String) -> Bool { field(key) != nil }

    /// Runs a `JSONReader` getter, turning its error into one naming this file.
    private func get<T>(_ body: () throws(JSONError) -> T) throws(EncoderError) -> T {
        do {
            return try body()
        } catch {
            if case let .field(fieldPath, reason) = error {
                throw .invalidModelFile(path: path, reason: "\"\(fieldPath)\" \(reason)")
            }
            throw .invalidModelFile(path: path, reason: error.description)
        }
    }

    func int(_ key: String) throws(EncoderError) -> Int? {
        try get { () throws(JSONError) in try reader.int(key) }
    }

    func requireInt(_ key: String) throws(EncoderError) -> Int {
        guard let v = try int(key) else { throw error(key, "is missing") }
        return v
    }

    func double(_ key: String) throws(EncoderError) -> Double? {
        try get { () throws(JSONError) in try reader.double(key) }
    }

    func bool(_ key: String) throws(EncoderError) -> Bool? {
        try get { () throws(JSONError) in try reader.bool(key) }
    }

    func string(_ key: String) throws(EncoderError) -> String? {
        guard let v = field(key) else { return nil }
        if case .string(let s) = v { return s }
        // tokenizer_config.json may hold special tokens as {"content": "[UNK]", ...}.
        if case .string(let s)? = v["content"] { return s }
        throw error(key, "must be a string")
    }

    func object(_ key: String) throws(EncoderError) -> JSONFile? {
        guard let reader = try get({ () throws(JSONError) in try reader.object(key) }) else { return nil }
        return JSONFile(path: path, reader: reader)
    }
}
