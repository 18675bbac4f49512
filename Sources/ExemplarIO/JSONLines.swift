/// Hand-written JSON for hot output paths (JSONEncoder costs about 1 µs per float).
public enum JSONLines {
    /// `{"<key>":[v0,v1,...]}` followed by a newline, each float in its shortest exact form.
    public static func arrayLine<T: LosslessStringConvertible>(key: String, values: some Sequence<T>) -> String {
        var s = "{\"\(key)\":["
        var first = true
        for v in values {
            if !first { s += "," }
            s += v.description
            first = false
        }
        s += "]}\n"
        return s
    }

    /// `value` as a JSON string literal.
    public static func quoted(_ value: String) -> String {
        var s = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": s += "\\\""
            case "\\": s += "\\\\"
            case "\n": s += "\\n"
            case "\r": s += "\\r"
            case "\t": s += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                s += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: s.unicodeScalars.append(scalar)
            }
        }
        return s + "\""
    }
}
