import Foundation

/// A JSON object read from a model file, with typed accessors whose errors name the file
/// and the key.
struct JSONFile {
    let path: String
    let object: [String: Any]

    /// Reads `url` as a JSON object; `nil` when the file does not exist.
    static func readIfPresent(_ url: URL) throws(EncoderError) -> JSONFile? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try read(url)
    }

    static func read(_ url: URL) throws(EncoderError) -> JSONFile {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .missingFile(path: url.path)
        }
        return try parse(data, path: url.path)
    }

    static func parse(_ data: Data, path: String) throws(EncoderError) -> JSONFile {
        let any: Any
        do {
            any = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw .invalidModelFile(path: path, reason: "not valid JSON (\(error.localizedDescription))")
        }
        guard let object = any as? [String: Any] else {
            throw .invalidModelFile(path: path, reason: "expected a JSON object at the top level")
        }
        return JSONFile(path: path, object: object)
    }

    func has(_ key: String) -> Bool {
        guard let v = object[key] else { return false }
        return !(v is NSNull)
    }

    func int(_ key: String) throws(EncoderError) -> Int? {
        guard has(key) else { return nil }
        if let n = object[key] as? NSNumber, !(object[key] is Bool),
           n.doubleValue == n.doubleValue.rounded(), let i = Int(exactly: n.doubleValue) {
            return i
        }
        throw .invalidModelFile(path: path, reason: "\"\(key)\" must be an integer")
    }

    func requireInt(_ key: String) throws(EncoderError) -> Int {
        guard let v = try int(key) else {
            throw .invalidModelFile(path: path, reason: "\"\(key)\" is missing")
        }
        return v
    }

    func double(_ key: String) throws(EncoderError) -> Double? {
        guard has(key) else { return nil }
        if let n = object[key] as? NSNumber, !(object[key] is Bool) { return n.doubleValue }
        throw .invalidModelFile(path: path, reason: "\"\(key)\" must be a number")
    }

    func bool(_ key: String) throws(EncoderError) -> Bool? {
        guard has(key) else { return nil }
        if let b = object[key] as? Bool { return b }
        throw .invalidModelFile(path: path, reason: "\"\(key)\" must be true or false")
    }

    func string(_ key: String) throws(EncoderError) -> String? {
        guard has(key) else { return nil }
        if let s = object[key] as? String { return s }
        // tokenizer_config.json may hold special tokens as {"content": "[UNK]", ...}.
        if let o = object[key] as? [String: Any], let s = o["content"] as? String { return s }
        throw .invalidModelFile(path: path, reason: "\"\(key)\" must be a string")
    }

    func object(_ key: String) throws(EncoderError) -> JSONFile? {
        guard has(key) else { return nil }
        if let o = object[key] as? [String: Any] { return JSONFile(path: path, object: o) }
        throw .invalidModelFile(path: path, reason: "\"\(key)\" must be an object")
    }
}
