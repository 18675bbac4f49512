/// The Unicode character classes that BERT's normalizer and pre-tokenizer test.
///
/// They follow Hugging Face tokenizers (the Rust library sentence-transformers uses), whose
/// category tables are older than Swift's; `HFUnicodeExceptions` lists the code points
/// where the two disagree, found by probing every code point (see Tests/Fixtures/unicode).
enum UnicodeProperties {
    /// Removed by `clean_text`: NUL, U+FFFD and "other" characters (Cc, Cf, Co), except tab,
    /// newline and carriage return. Unassigned code points (Cn) are kept, as in HF's tables.
    static func isRemovedByCleaning(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0x00, 0xFFFD: return true
        default: break
        }
        if let forced = HFUnicodeExceptions.lookup(HFUnicodeExceptions.other, s.value) { return forced }
        switch s.properties.generalCategory {
        case .control, .format, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// Whitespace as Rust's `char::is_whitespace` (the Unicode White_Space property).
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s.properties.isWhitespace
    }

    /// Punctuation as BERT splits it: ASCII punctuation (which includes `$+<=>^`|~`) or a
    /// Unicode punctuation category (Pc, Pd, Ps, Pe, Pi, Pf, Po).
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 {
            return (0x21...0x2F).contains(v) || (0x3A...0x40).contains(v)
                || (0x5B...0x60).contains(v) || (0x7B...0x7E).contains(v)
        }
        if let forced = HFUnicodeExceptions.lookup(HFUnicodeExceptions.punctuation, v) { return forced }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// A CJK ideograph, which BERT surrounds with spaces so that each becomes its own word.
    static func isChinese(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
            0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// A non-spacing mark (Mn), which accent stripping removes after NFD.
    static func isNonspacingMark(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x300 { return false }
        if let forced = HFUnicodeExceptions.lookup(HFUnicodeExceptions.nonspacingMark, s.value) { return forced }
        return s.properties.generalCategory == .nonspacingMark
    }
}
