import Foundation  // NFD (`decomposedStringWithCanonicalMapping`) is not in FoundationEssentials.

/// BERT's text normalizer with the semantics of Hugging Face tokenizers' `BertNormalizer`.
///
/// Steps, in order: `cleanText` deletes control and other invisible characters and turns
/// whitespace into spaces; `handleChineseChars` puts spaces around CJK ideographs;
/// `stripAccents` decomposes (NFD) and drops non-spacing marks; `lowercase` lower-cases
/// each character with its full (context-free) Unicode mapping.
public struct BertNormalizer: Sendable, Equatable {
    public var cleanText: Bool
    public var handleChineseChars: Bool
    public var stripAccents: Bool
    public var lowercase: Bool

    /// `stripAccents: nil` means "strip when lower-casing", as in BERT's configs.
    public init(cleanText: Bool = true, handleChineseChars: Bool = true,
                stripAccents: Bool? = nil, lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents ?? lowercase
        self.lowercase = lowercase
    }

    /// NFD, then non-spacing marks removed. Characters that HF's older tables do not
    /// decompose are passed through whole.
    static func decomposeAndStrip(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(scalars.count)
        var piece = String.UnicodeScalarView()
        func flush() {
            guard !piece.isEmpty else { return }
            let decomposed = String(piece).decomposedStringWithCanonicalMapping
            out.append(contentsOf: decomposed.unicodeScalars.filter { !UnicodeProperties.isNonspacingMark($0) })
            piece = String.UnicodeScalarView()
        }
        for s in scalars {
            if HFUnicodeExceptions.noDecomposition.contains(s.value) {
                flush()
                out.append(s)
            } else {
                piece.append(s)
            }
        }
        flush()
        return out
    }

    /// Normalizes `text`, returning its Unicode scalars.
    public func normalize(_ text: Substring) -> [Unicode.Scalar] {
        normalize(scalars: text.unicodeScalars)
    }

    /// Normalizes the scalars of a text.
    public func normalize<S: Sequence<Unicode.Scalar>>(scalars text: S) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.underestimatedCount)
        for s in text {
            if cleanText {
                if UnicodeProperties.isRemovedByCleaning(s) { continue }
                if UnicodeProperties.isWhitespace(s) { scalars.append(" "); continue }
            }
            if handleChineseChars && UnicodeProperties.isChinese(s) {
                scalars.append(" "); scalars.append(s); scalars.append(" ")
            } else {
                scalars.append(s)
            }
        }
        if stripAccents && !scalars.allSatisfy({ $0.isASCII }) {
            scalars = Self.decomposeAndStrip(scalars)
        }
        if lowercase {
            var lowered: [Unicode.Scalar] = []
            lowered.reserveCapacity(scalars.count)
            for s in scalars {
                if s.isASCII {
                    let v = s.value
                    lowered.append((0x41...0x5A).contains(v) ? Unicode.Scalar(v + 32)! : s)
                } else {
                    lowered.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
                }
            }
            scalars = lowered
        }
        return scalars
    }
}
