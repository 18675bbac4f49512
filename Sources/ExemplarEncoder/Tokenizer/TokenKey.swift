/// A vocabulary key compared by its exact UTF-8 bytes.
///
/// Swift's `String` equality is canonical equivalence ("Å" U+00C5 equals "A" + U+030A), but
/// vocabularies hold such pairs as different tokens with different ids, as Rust's byte-wise
/// strings do; keying a dictionary by `String` would merge them.
public struct TokenKey: Hashable, Sendable {
    public let text: String

    public init(_ text: String) { self.text = text }

    public static func == (a: TokenKey, b: TokenKey) -> Bool {
        a.text.utf8.elementsEqual(b.text.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        var copy = text
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
