import ExemplarCore

/// Everything that can go wrong while loading a model folder or encoding text.
///
/// Each case's `description` says what went wrong, where, and what to do about it.
public enum EncoderError: ExemplarError, Equatable {
    /// No model folder was found; `fetchCommand` fetches the default one.
    case modelNotFound(searched: [String], fetchCommand: String)
    /// A file the model folder needs is missing.
    case missingFile(path: String)
    /// A model file exists but cannot be used (bad JSON, wrong shape, truncated, unsupported).
    case invalidModelFile(path: String, reason: String)
    /// The model folder describes an architecture or option this encoder does not implement.
    case unsupported(path: String, reason: String)

    /// A missing or broken model is the user's to fix: 2. Over HTTP the server's model is at fault: 500.
    public var exitCode: Int32 { 2 }
    public var httpStatus: Int { 500 }

    public var description: String {
        switch self {
        case .modelNotFound(let searched, let fetchCommand):
            return "no model folder found (looked in: \(searched.joined(separator: ", "))); "
                + "fetch the default model with: \(fetchCommand)"
        case .missingFile(let path):
            return "\(path): file missing from the model folder; fetch the model again"
        case .invalidModelFile(let path, let reason):
            return "\(path): \(reason)"
        case .unsupported(let path, let reason):
            return "\(path): unsupported model: \(reason)"
        }
    }
}
