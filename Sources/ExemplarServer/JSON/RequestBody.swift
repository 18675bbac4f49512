/// Typed access to a JSON request object: every getter names the field in its error.
struct RequestBody {
    let value: JSONValue
    /// The path of this object in the request ("" at the top, "inputs[2]" inside).
    let path: String

    /// Parses `bytes`, which must be a JSON object.
    init(bytes: [UInt8]) throws(ServerError) {
        let value = try JSONParser.parse(bytes)
        guard case .object = value else { throw .malformedJSON("the body must be a JSON object") }
        self.init(value: value, path: "")
    }

    init(value: JSONValue, path: String) {
        self.value = value
        self.path = path
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The field, treating `null` as absent.
    func field(_ key: String) -> JSONValue? {
        guard let v = value[key], v != .null else { return nil }
        return v
    }

    /// Rejects fields not in `known` (catches typos like `per_clas`).
    func only(_ known: [String]) throws(ServerError) {
        guard case .object(let fields) = value else { return }
        for (key, _) in fields where !known.contains(key) {
            throw .badField(field: name(key), reason: "is not a known field; known: \(known.joined(separator: ", "))")
        }
    }

    func string(_ key: String) throws(ServerError) -> String? {
        guard let v = field(key) else { return nil }
        guard case .string(let s) = v else { throw .badField(field: name(key), reason: "must be a string") }
        return s
    }

    func bool(_ key: String) throws(ServerError) -> Bool? {
        guard let v = field(key) else { return nil }
        guard case .bool(let b) = v else { throw .badField(field: name(key), reason: "must be true or false") }
        return b
    }

    func int(_ key: String, range: ClosedRange<Int>) throws(ServerError) -> Int? {
        guard let v = field(key) else { return nil }
        guard case .number(let d) = v, d == d.rounded(), d >= Double(range.lowerBound), d <= Double(range.upperBound) else {
            throw .badField(field: name(key), reason: "must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(d)
    }

    func double(_ key: String, range: ClosedRange<Double>) throws(ServerError) -> Double? {
        guard let v = field(key) else { return nil }
        guard case .number(let d) = v, range.contains(d) else {
            throw .badField(field: name(key), reason: "must be a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return d
    }

    /// A string or an array of strings (OpenAI's `input`, TEI's `inputs`); nil when absent.
    func strings(_ key: String) throws(ServerError) -> [String]? {
        guard let v = field(key) else { return nil }
        switch v {
        case .string(let s): return [s]
        case .array(let items):
            var out: [String] = []
            for (i, item) in items.enumerated() {
                guard case .string(let s) = item else {
                    throw .badField(field: "\(name(key))[\(i)]", reason: "must be a string (token-id arrays are not supported)")
                }
                out.append(s)
            }
            return out
        default:
            throw .badField(field: name(key), reason: "must be a string or an array of strings")
        }
    }

    /// An array of non-negative integers (ids).
    func ids(_ key: String) throws(ServerError) -> [Int]? {
        guard let v = field(key) else { return nil }
        guard case .array(let items) = v else { throw .badField(field: name(key), reason: "must be an array of example ids") }
        var out: [Int] = []
        for (i, item) in items.enumerated() {
            guard case .number(let d) = item, d == d.rounded(), d >= 0, d <= Double(UInt32.max) else {
                throw .badField(field: "\(name(key))[\(i)]", reason: "must be a non-negative integer id")
            }
            out.append(Int(d))
        }
        return out
    }

    /// One vector (`[numbers]`) or several (`[[numbers]]`), each of `dimension` finite values.
    func vectors(_ key: String, dimension: Int, nested: Bool) throws(ServerError) -> [[Float]]? {
        guard let v = field(key) else { return nil }
        func vector(_ value: JSONValue, _ name: String) throws(ServerError) -> [Float] {
            guard case .array(let items) = value else { throw .badField(field: name, reason: "must be an array of numbers") }
            guard items.count == dimension else {
                throw .badField(field: name, reason: "has \(items.count) values; the index's vectors have \(dimension)")
            }
            var out: [Float] = []
            out.reserveCapacity(dimension)
            for (i, item) in items.enumerated() {
                guard case .number(let d) = item, Float(d).isFinite else {
                    throw .badField(field: "\(name)[\(i)]", reason: "must be a finite number")
                }
                out.append(Float(d))
            }
            return out
        }
        if !nested { return [try vector(v, name(key))] }
        guard case .array(let rows) = v else { throw .badField(field: name(key), reason: "must be an array of vectors") }
        var out: [[Float]] = []
        for (i, row) in rows.enumerated() { out.append(try vector(row, "\(name(key))[\(i)]")) }
        return out
    }

    /// A nested object.
    func object(_ key: String) throws(ServerError) -> RequestBody? {
        guard let v = field(key) else { return nil }
        guard case .object = v else { throw .badField(field: name(key), reason: "must be an object") }
        return RequestBody(value: v, path: name(key))
    }
}
