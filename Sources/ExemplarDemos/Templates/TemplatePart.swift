/// One piece of an LM-BFF template (`src/dataset.py` `tokenize_multipart_input`).
public enum TemplatePart: Sendable, Hashable {
    /// `*cls*`: the classifier/start token.
    case cls
    /// `*mask*`: the mask token the label word is predicted at.
    case mask
    /// `*sep*` (`plus` false) or `*sep+*` (the segment id grows by one after it).
    case sep(plus: Bool)
    /// `*label_i*`: the label word of label `i`.
    case labelWord(Int)
    /// `*labelx_i*`: the label word of the `i`-th in-context demonstration.
    case demoLabelWord(Int)
    /// `*sent_i*` and its variants: input sentence `i`, transformed by `style`.
    case sentence(Int, SentenceStyle)
    /// Literal text as written in the template (`_` stands for a space).
    case text(String)

    /// The part as template source: `*name*`, or the literal text.
    public var source: String {
        switch self {
        case .cls: "*cls*"
        case .mask: "*mask*"
        case .sep(let plus): plus ? "*sep+*" : "*sep*"
        case .labelWord(let i): "*label_\(i)*"
        case .demoLabelWord(let i): "*labelx_\(i)*"
        case let .sentence(i, style): "*\(style.prefix)_\(i)*"
        case .text(let raw): raw
        }
    }
}

/// How a sentence variable changes its sentence: `+` a leading space, `l`/`u` the first
/// character lower/upper-cased, `-` the last character dropped (Python's `text[:-1]`).
public struct SentenceStyle: Sendable, Hashable {
    /// The first character's case change.
    public enum FirstCharacter: Sendable, Hashable { case unchanged, lowercased, uppercased }

    public var leadingSpace: Bool
    public var firstCharacter: FirstCharacter
    public var dropsLastCharacter: Bool

    public init(leadingSpace: Bool = false, firstCharacter: FirstCharacter = .unchanged, dropsLastCharacter: Bool = false) {
        self.leadingSpace = leadingSpace
        self.firstCharacter = firstCharacter
        self.dropsLastCharacter = dropsLastCharacter
    }

    /// The variable names LM-BFF knows, by name before `_i`.
    static let known: [String: SentenceStyle] = [
        "sent": SentenceStyle(),
        "+sent": SentenceStyle(leadingSpace: true),
        "sent-": SentenceStyle(dropsLastCharacter: true),
        "sentl": SentenceStyle(firstCharacter: .lowercased),
        "+sentl": SentenceStyle(leadingSpace: true, firstCharacter: .lowercased),
        "sentl-": SentenceStyle(firstCharacter: .lowercased, dropsLastCharacter: true),
        "sentu": SentenceStyle(firstCharacter: .uppercased),
        "+sentu": SentenceStyle(leadingSpace: true, firstCharacter: .uppercased),
    ]

    /// The variable name before `_i` (`+sentl`).
    var prefix: String {
        (leadingSpace ? "+" : "") + "sent"
            + (firstCharacter == .lowercased ? "l" : firstCharacter == .uppercased ? "u" : "")
            + (dropsLastCharacter ? "-" : "")
    }

    /// `text` changed as LM-BFF does, on Unicode scalars as Python's `str` indexes code points.
    func apply(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        var head = ""
        if let first = scalars.first {
            switch firstCharacter {
            case .unchanged: head = String(first)
            case .lowercased: head = first.properties.lowercaseMapping
            case .uppercased: head = first.properties.uppercaseMapping
            }
            scalars.removeFirst()
        }
        var body = String.UnicodeScalarView()
        body.append(contentsOf: scalars)
        var result = head + String(body)
        if dropsLastCharacter, !text.isEmpty {
            // text[:-1]: the last code point, after any case change (LM-BFF's order).
            var view = result.unicodeScalars
            view.removeLast()
            result = String(view)
        }
        return (leadingSpace ? " " : "") + result
    }
}
