/// Typed access to a JSON object: every getter names the field's path in its error.
///
/// `null` counts as absent. A reader at the top of a document has the path ""; a nested one
/// knows where it is (`queries[2]`), so an error deep inside names the whole path.
public struct JSONReader: Sendable {
    public let value: JSONValue
    /// The path of this object in its document ("" at the top, "inputs[2]" inside).
    public let path: String

    /// Parses `bytes`, which must hold one JSON object.
    public init(bytes: [UInt8]) throws(JSONError) {
        try self.init(document: JSONParser.parse(bytes))
    }

    /// A reader over `document`, which must be an object.
    public init(document: JSONValue) throws(JSONError) {
        guard case .object = document else { throw .field(path: "", reason: "the document must be a JSON object") }
        self.init(value: document, path: "")
    }

    public init(value: JSONValue, path: String) {
        self.value = value
        self.path = path
    }

    /// The path of `key` inside this object.
    public func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// An error about `key`.
    public func error(_ key: String, _ reason: String) -> JSONError { .field(path: name(key), reason: reason) }

    /// The field, treating `null` as absent.
    public func field(_ key: String) -> JSONValue? {
        guard let v = value[key], v != .null else { return nil }
        return v
    }

    /// The object's keys, in document order.
    public var keys: [String] { value.objectFields?.map(\.0) ?? [] }

    /// Rejects fields not in `known` (catches typos like `per_clas`).
    public func only(_ known: [String]) throws(JSONError) {
        for key in keys where !known.contains(key) {
            throw error(key, "is not a known field; known: \(known.joined(separator: ", "))")
        }
    }

    public func string(_ key: String) throws(JSONError) -> String? {
        guard let v = field(key) else { return nil }
        guard case .string(let s) = v else { throw error(key, "must be a string") }
        return s
    }

    public func bool(_ key: String) throws(JSONError) -> Bool? {
        guard let v = field(key) else { return nil }
        guard case .bool(let b) = v else { throw error(key, "must be true or false") }
        return b
    }

    /// An integer-valued number in `range`.
    public func int(_ key: String, range: ClosedRange<Int> = Int.min...Int.max) throws(JSONError) -> Int? {
        guard let v = field(key) else { return nil }
        guard case .number(let d) = v, d == d.rounded(), d >= Double(range.lowerBound), d <= Double(range.upperBound),
              let n = Int(exactly: d) else {
            if range == Int.min...Int.max { throw error(key, "must be an integer") }
            throw error(key, "must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return n
    }

    public func double(_ key: String, range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) throws(JSONError) -> Double? {
        guard let v = field(key) else { return nil }
        guard case .number(let d) = v, range.contains(d) else {
            if range.upperBound == .greatestFiniteMagnitude { throw error(key, "must be a number") }
            throw error(key, "must be a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return d
    }

    /// A string or an array of strings (OpenAI's `input`, TEI's `inputs`); nil when absent.
    public func strings(_ key: String) throws(JSONError) -> [String]? {
        guard let v = field(key) else { return nil }
        switch v {
        case .string(let s): return [s]
        case .array(let items):
            var out: [String] = []
            for (i, item) in items.enumerated() {
                guard case .string(let s) = item else {
                    throw .field(path: "\(name(key))[\(i)]", reason: "must be a string (token-id arrays are not supported)")
                }
                out.append(s)
            }
            return out
        default:
            throw error(key, "must be a string or an array of strings")
        }
    }

    /// An object whose values are all strings (label → word), in document order.
    public func stringMap(_ key: String) throws(JSONError) -> [(String, String)]? {
        guard let v = field(key) else { return nil }
        guard case .object(let fields) = v else { throw error(key, "must be an object of strings") }
        var out: [(String, String)] = []
        for (k, item) in fields {
            guard case .string(let s) = item else { throw .field(path: "\(name(key)).\(k)", reason: "must be a string") }
            out.append((k, s))
        }
        return out
    }

    /// An array of non-negative integers (ids).
    public func ids(_ key: String) throws(JSONError) -> [Int]? {
        guard let v = field(key) else { return nil }
        guard case .array(let items) = v else { throw error(key, "must be an array of example ids") }
        var out: [Int] = []
        for (i, item) in items.enumerated() {
            guard case .number(let d) = item, d == d.rounded(), d >= 0, d <= Double(UInt32.max) else {
                throw .field(path: "\(name(key))[\(i)]", reason: "must be a non-negative integer id")
            }
            out.append(Int(d))
        }
        return out
    }

    /// One vector (`[numbers]`) or several (`[[numbers]]`), each of `dimension` finite values.
    public func vectors(_ key: String, dimension: Int, nested: Bool) throws(JSONError) -> [[Float]]? {
        guard let v = field(key) else { return nil }
        func vector(_ value: JSONValue, _ name: String) throws(JSONError) -> [Float] {
            guard case .array(let items) = value else { throw .field(path: name, reason: "must be an array of numbers") }
            guard items.count == dimension else {
                throw .field(path: name, reason: "has \(items.count) values; the index's vectors have \(dimension)")
            }
            var out: [Float] = []
            out.reserveCapacity(dimension)
            for (i, item) in items.enumerated() {
                guard case .number(let d) = item, Float(d).isFinite else {
                    throw .field(path: "\(name)[\(i)]", reason: "must be a finite number")
                }
                out.append(Float(d))
            }
            return out
        }
        if !nested { return [try vector(v, name(key))] }
        guard case .array(let rows) = v else { throw error(key, "must be an array of vectors") }
        var out: [[Float]] = []
        for (i, row) in rows.enumerated() { out.append(try vector(row, "\(name(key))[\(i)]")) }
        return out
    }

    /// A nested object.
    public func object(_ key: String) throws(JSONError) -> JSONReader? {
        guard let v = field(key) else { return nil }
        guard case .object = v else { throw error(key, "must be an object") }
        return JSONReader(value: v, path: name(key))
    }

    /// A non-empty array of objects, each as a reader (`examples[3]`), at most `limit` of them.
    public func objects(_ key: String) throws(JSONError) -> [JSONReader]? {
        guard let v = field(key) else { return nil }
        guard case .array(let items) = v else { throw error(key, "must be an array of objects") }
        var out: [JSONReader] = []
        for (i, item) in items.enumerated() {
            guard case .object = item else { throw .field(path: "\(name(key))[\(i)]", reason: "must be an object") }
            out.append(JSONReader(value: item, path: "\(name(key))[\(i)]"))
        }
        return out
    }
}
