/// Python 3's character classes for `str` patterns (`re`'s `\w`, `\s`, `\d`, `(?i)` on ASCII
/// letters), which nltk's tokenizer rules are written in. Unicode data is Swift's (Python
/// 3.11 has Unicode 14; characters assigned later may classify differently).
enum PythonChars {
    /// `\s` and `str.split()`'s separators: `str.isspace()`.
    @inline(__always) static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// `\w`: `str.isalnum()` (letters Lu Ll Lt Lm Lo, or any numeric type) or `_`.
    @inline(__always) static func isWord(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x80 {
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x5F
        }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return c.properties.numericType != nil
        }
    }

    /// `\d`: a decimal digit (`str.isdecimal()`, category Nd).
    @inline(__always) static func isDigit(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return c.value >= 0x30 && c.value <= 0x39 }
        return c.properties.numericType == .decimal
    }

    /// Whether `c` matches the lowercase ASCII letter `letter` under `re.IGNORECASE`: the
    /// letter, its capital, and the characters Python folds to it (K KELVIN SIGN for k; İ and
    /// ı for i; ſ LONG S for s).
    @inline(__always) static func matchesIgnoringCase(_ c: Unicode.Scalar, _ letter: UInt8) -> Bool {
        let v = c.value
        if v == UInt32(letter) || v == UInt32(letter) - 32 { return true }
        switch v {
        case 0x212A: return letter == UInt8(ascii: "k")
        case 0x130, 0x131: return letter == UInt8(ascii: "i")
        case 0x17F: return letter == UInt8(ascii: "s")
        default: return false
        }
    }
}

/// The classes of the third-party `regex` module, which nltk 3.10 compiles most of its
/// tokenizer patterns with (`nltk.redos`): `\s` is Unicode White_Space (not `\x1c`–`\x1f`),
/// `\w` is Alphabetic, marks, Nd, Pc and Join_Control, `\d` is Nd.
enum RegexChars {
    @inline(__always) static func isSpace(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return c.value == 0x20 || (c.value >= 0x09 && c.value <= 0x0D) }
        return c.properties.isWhitespace
    }

    @inline(__always) static func isWord(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x80 {
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x5F
        }
        let p = c.properties
        if p.isAlphabetic || p.isJoinControl { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    @inline(__always) static func isDigit(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return c.value >= 0x30 && c.value <= 0x39 }
        return c.properties.generalCategory == .decimalNumber
    }
}
