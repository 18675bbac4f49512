/// Code points where Hugging Face tokenizers' Unicode tables disagree with Swift's.
///
/// Generated from the probe tables in Tests/Fixtures/unicode by comparing them with Swift's
/// own properties; `true` forces the property on, `false` forces it off.
enum HFUnicodeExceptions {
    static let other: [UInt32: Bool] = [:]
    static let punctuation: [UInt32: Bool] = [:]
    static let nonspacingMark: [UInt32: Bool] = [:]
}
