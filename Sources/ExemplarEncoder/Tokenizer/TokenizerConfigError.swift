/// Why a tokenizer.json component cannot be built; the loader turns it into an `EncoderError`
/// naming the file and the component's JSON path.
struct TokenizerConfigError: Error, Sendable {
    let reason: String
    /// A component or option not implemented here, rather than a malformed file.
    var isUnsupported = false
    init(_ reason: String) { self.reason = reason }
}
