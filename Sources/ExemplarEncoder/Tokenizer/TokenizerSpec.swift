import ExemplarJSON

/// One JSON object of tokenizer.json with its path (`normalizer.normalizers[1]`), read by
/// the component parsers; errors carry the path.
struct TokenizerSpec {
    let value: JSONValue
    let path: String

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func invalid(_ key: String, _ reason: String) -> TokenizerConfigError {
        TokenizerConfigError("\"\(name(key))\" \(reason)")
    }

    /// The field, `null` counting as absent.
    func field(_ key: String) -> JSONValue? {
        guard let v = value[key] else { return nil }
        if case .null = v { return nil }
        return v
    }

    func string(_ key: String) throws(TokenizerConfigError) -> String? {
        guard let v = field(key) else { return nil }
        guard case .string(let s) = v else { throw invalid(key, "must be a string") }
        return s
    }

    func requireString(_ key: String) throws(TokenizerConfigError) -> String {
        guard let s = try string(key) else { throw invalid(key, "is missing") }
        return s
    }

    func bool(_ key: String) throws(TokenizerConfigError) -> Bool? {
        guard let v = field(key) else { return nil }
        guard case .bool(let b) = v else { throw invalid(key, "must be true or false") }
        return b
    }

    func int(_ key: String) throws(TokenizerConfigError) -> Int? {
        guard let v = field(key) else { return nil }
        guard case .number(let d) = v, d == d.rounded(), abs(d) < 1e15 else { throw invalid(key, "must be an integer") }
        return Int(d)
    }

    func object(_ key: String) throws(TokenizerConfigError) -> TokenizerSpec? {
        guard let v = field(key) else { return nil }
        guard case .object = v else { throw invalid(key, "must be an object") }
        return TokenizerSpec(value: v, path: name(key))
    }

    func objects(_ key: String) throws(TokenizerConfigError) -> [TokenizerSpec] {
        guard let v = field(key) else { throw invalid(key, "is missing") }
        guard case .array(let items) = v else { throw invalid(key, "must be an array of objects") }
        var out: [TokenizerSpec] = []
        for (i, item) in items.enumerated() {
            guard case .object = item else { throw TokenizerConfigError("\"\(name(key))[\(i)]\" must be an object") }
            out.append(TokenizerSpec(value: item, path: "\(name(key))[\(i)]"))
        }
        return out
    }

    /// A single character (Metaspace's `replacement`, CharDelimiterSplit's `delimiter`).
    func scalar(_ key: String, default fallback: Unicode.Scalar) throws(TokenizerConfigError) -> Unicode.Scalar {
        guard let s = try string(key) else { return fallback }
        let scalars = Array(s.unicodeScalars)
        guard scalars.count == 1 else { throw invalid(key, "must be a single character") }
        return scalars[0]
    }

    /// `{"String": "..."}` or `{"Regex": "..."}`.
    func pattern(_ key: String) throws(TokenizerConfigError) -> TextPattern {
        guard let p = try object(key) else { throw invalid(key, "is missing") }
        if let s = try p.string("String") { return .string(Array(s.unicodeScalars)) }
        if let r = try p.string("Regex") {
            do {
                return .regex(try TokenizerRegex(r))
            } catch {
                throw TokenizerConfigError.unsupported("regex \"\(r)\" at \"\(name(key)).Regex\": \(error.reason)")
            }
        }
        throw invalid(key, "must be {\"String\": ...} or {\"Regex\": ...}")
    }

    /// The component's `type`, for the error about a type not implemented.
    func type(_ component: String) throws(TokenizerConfigError) -> String {
        guard let t = try string("type") else { throw invalid("type", "is missing") }
        return t
    }

    func unknownType(_ component: String, _ type: String, implemented: [String]) -> TokenizerConfigError {
        .unsupported("\(component) type \"\(type)\" (at \"\(path)\") is not implemented; implemented: \(implemented.joined(separator: ", "))")
    }
}

extension TokenizerConfigError {
    /// A component or option this tokenizer does not implement (as opposed to a malformed file).
    static func unsupported(_ reason: String) -> TokenizerConfigError {
        var e = TokenizerConfigError(reason)
        e.isUnsupported = true
        return e
    }
}
