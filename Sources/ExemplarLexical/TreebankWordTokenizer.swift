/// nltk's `NLTKWordTokenizer` (the improved Treebank tokenizer `word_tokenize` applies to each
/// sentence), rule for rule: the same substitutions, in the same order, with leftmost,
/// non-overlapping matching and each rule's engine's `\w`, `\s`, `\d` and case folding: the
/// `regex` module's (`RegexChars`) for the rules nltk compiles through `nltk.redos`, `re`'s
/// (`PythonChars`) for the contractions and `str.split()`. Checked against nltk 3.10.4 by `scripts/check-bm25-tokenizer`.
///
/// Each rule is a scan over Unicode scalars (Python strings are code points) that builds the
/// next text; a rule whose trigger characters are absent is skipped.
public struct TreebankWordTokenizer: Sendable {
    public init() {}

    /// The tokens of one sentence.
    public func tokenize(_ text: String) -> [String] {
        tokenize(scalars: Array(text.unicodeScalars))
    }

    typealias Text = [Unicode.Scalar]

    func tokenize(scalars: Text) -> [String] {
        var t = scalars
        // Starting quotes.
        t = Self.spacing(t, single: { $0 == "«" || $0 == "“" || $0 == "‘" || $0 == "„" }, runOf: "`")
        if t.first == "\"" { t.replaceSubrange(0..<1, with: ["`", "`"]) }
        t = Self.replacePairs(t, "`", "`", with: Array(" `` ".unicodeScalars))
        t = Self.openingDoubleQuotes(t)
        t = Self.openingSingleQuotes(t)
        // Punctuation.
        t = Self.finalPeriod(t, closers: { Self.isCloser($0) || $0 == " " || $0 == "»" || $0 == "”" || $0 == "’" }, spaceBeforeClosers: true)
        t = Self.colonsAndCommas(t)
        t = Self.finalColonOrComma(t)
        t = Self.spacing(t, single: { _ in false }, runOf: ".", minimumRun: 2)
        t = Self.spacing(t, single: { $0 == ";" || $0 == "@" || $0 == "#" || $0 == "$" || $0 == "%" || $0 == "&" })
        t = Self.spacing(t, single: { $0.value >= 0x2012 && $0.value <= 0x2015 })
        t = Self.finalPeriod(t, closers: Self.isCloser, spaceBeforeClosers: false)
        t = Self.spacing(t, single: { $0 == "?" || $0 == "!" })
        t = Self.quoteBeforeSpace(t)
        t = Self.spacing(t, single: { $0 == "*" })
        // Parentheses and brackets, double dashes.
        t = Self.spacing(t, single: { "[]{}()<>".unicodeScalars.contains($0) })
        t = Self.replacePairs(t, "-", "-", with: Array(" -- ".unicodeScalars))
        t.insert(" ", at: 0)
        t.append(" ")
        // Ending quotes.
        t = Self.spacing(t, single: { $0 == "»" || $0 == "”" || $0 == "’" })
        t = Self.replacePairs(t, "'", "'", with: Array(" '' ".unicodeScalars))
        t = Self.replaceSingle(t, "\"", with: Array(" '' ".unicodeScalars))
        t = Self.collapseSpaces(t)
        t = Self.clitics(t, suffixes: Self.shortClitics)
        t = Self.clitics(t, suffixes: Self.longClitics)
        // Contractions (MacIntyre's): cannot, d'ye, gimme, gonna, gotta, lemme, more'n, wanna; 'tis, 'twas.
        for (first, second, lookaheadSpace) in Self.contractions2 {
            t = Self.splitContraction(t, first, second, lookaheadSpace: lookaheadSpace)
        }
        for second in ["is", "was"] {
            t = Self.splitLeadingT(t, second)
        }
        return Self.split(t)
    }

    // MARK: - Rules

    /// `"([\]\)}>\"']"`: the closers nltk's final-period rules allow after the period.
    static func isCloser(_ c: Unicode.Scalar) -> Bool {
        c == "]" || c == ")" || c == "}" || c == ">" || c == "\"" || c == "'"
    }

    /// Surrounds each character matching `single`, and each maximal run (at least
    /// `minimumRun` long) of `runOf`, with spaces (`r" \g<0> "`).
    static func spacing(_ t: Text, single: (Unicode.Scalar) -> Bool, runOf run: Unicode.Scalar? = nil, minimumRun: Int = 1) -> Text {
        guard t.contains(where: { single($0) || $0 == run }) else { return t }
        var out = Text()
        out.reserveCapacity(t.count + 16)
        var i = 0
        while i < t.count {
            let c = t[i]
            if c == run {
                var j = i
                while j < t.count && t[j] == run { j += 1 }
                if j - i >= minimumRun {
                    out.append(" ")
                    out.append(contentsOf: t[i..<j])
                    out.append(" ")
                } else {
                    out.append(contentsOf: t[i..<j])
                }
                i = j
                continue
            }
            if single(c) {
                out.append(" ")
                out.append(c)
                out.append(" ")
            } else {
                out.append(c)
            }
            i += 1
        }
        return out
    }

    /// Non-overlapping `ab` pairs, left to right, replaced by `replacement`.
    static func replacePairs(_ t: Text, _ a: Unicode.Scalar, _ b: Unicode.Scalar, with replacement: Text) -> Text {
        guard t.count >= 2, t.contains(a) else { return t }
        var out = Text()
        out.reserveCapacity(t.count + 8)
        var i = 0
        while i < t.count {
            if t[i] == a && i + 1 < t.count && t[i + 1] == b {
                out.append(contentsOf: replacement)
                i += 2
            } else {
                out.append(t[i])
                i += 1
            }
        }
        return out
    }

    static func replaceSingle(_ t: Text, _ a: Unicode.Scalar, with replacement: Text) -> Text {
        guard t.contains(a) else { return t }
        var out = Text()
        out.reserveCapacity(t.count + 8)
        for c in t {
            if c == a { out.append(contentsOf: replacement) } else { out.append(c) }
        }
        return out
    }

    /// `([ \(\[{<])(\"|\'{2})` → `\1 `` `.
    static func openingDoubleQuotes(_ t: Text) -> Text {
        guard t.contains(where: { $0 == "\"" || $0 == "'" }) else { return t }
        var out = Text()
        out.reserveCapacity(t.count + 8)
        var i = 0
        while i < t.count {
            let c = t[i]
            if c == " " || c == "(" || c == "[" || c == "{" || c == "<", i + 1 < t.count {
                if t[i + 1] == "\"" {
                    out.append(c)
                    out.append(contentsOf: " `` ".unicodeScalars)
                    i += 2
                    continue
                }
                if t[i + 1] == "'" && i + 2 < t.count && t[i + 2] == "'" {
                    out.append(c)
                    out.append(contentsOf: " `` ".unicodeScalars)
                    i += 3
                    continue
                }
            }
            out.append(c)
            i += 1
        }
        return out
    }

    /// `(?i)(?<!\w)(\')(?!(?:re|ve|ll|m|t|s|d|n)\b)(?=\w)` → `\1 `: an opening apostrophe
    /// before a word, unless the word is a clitic.
    static func openingSingleQuotes(_ t: Text) -> Text {
        guard t.contains("'") else { return t }
        var out = Text()
        out.reserveCapacity(t.count + 8)
        for i in 0..<t.count {
            out.append(t[i])
            guard t[i] == "'", i == 0 || !RegexChars.isWord(t[i - 1]), i + 1 < t.count, RegexChars.isWord(t[i + 1]) else { continue }
            let clitic = ["re", "ve", "ll", "m", "t", "s", "d", "n"].contains { word in
                matchesWord(t, at: i + 1, word) && (i + 1 + word.utf8.count >= t.count || !RegexChars.isWord(t[i + 1 + word.utf8.count]))
            }
            if !clitic { out.append(" ") }
        }
        return out
    }

    /// nltk's final-period rules: the last `.` of the text, after a character other than `.`
    /// and followed only by closers and whitespace, is set apart (`\1 \2 \3 ` with
    /// `spaceBeforeClosers`, else `\1 \2\3 `); the trailing whitespace goes.
    static func finalPeriod(_ t: Text, closers: (Unicode.Scalar) -> Bool, spaceBeforeClosers: Bool) -> Text {
        guard let p = t.lastIndex(of: "."), p >= 1, t[p - 1] != "." else { return t }
        var j = p + 1
        while j < t.count && closers(t[j]) { j += 1 }
        guard t[j...].allSatisfy(RegexChars.isSpace) else { return t }
        var out = Text(t[..<p])
        out.append(contentsOf: (spaceBeforeClosers ? " . " : " .").unicodeScalars)
        out.append(contentsOf: t[(p + 1)..<j])
        out.append(" ")
        return out
    }

    /// `([:,])([^\d])` → ` \1 \2`.
    static func colonsAndCommas(_ t: Text) -> Text {
        guard t.contains(where: { $0 == ":" || $0 == "," }) else { return t }
        var out = Text()
        out.reserveCapacity(t.count + 8)
        var i = 0
        while i < t.count {
            let c = t[i]
            if (c == ":" || c == ",") && i + 1 < t.count && !RegexChars.isDigit(t[i + 1]) {
                out.append(" ")
                out.append(c)
                out.append(" ")
                out.append(t[i + 1])
                i += 2
            } else {
                out.append(c)
                i += 1
            }
        }
        return out
    }

    /// `([:,])$` → ` \1 ` (`$`: the end, or before a final newline).
    static func finalColonOrComma(_ t: Text) -> Text {
        let n = t.count
        var at: Int?
        if n >= 1 && (t[n - 1] == ":" || t[n - 1] == ",") { at = n - 1 }
        else if n >= 2 && t[n - 1] == "\n" && (t[n - 2] == ":" || t[n - 2] == ",") { at = n - 2 }
        guard let at else { return t }
        var out = Text(t[..<at])
        out.append(" ")
        out.append(t[at])
        out.append(" ")
        out.append(contentsOf: t[(at + 1)...])
        return out
    }

    /// `([^'])' ` → `\1 ' `.
    static func quoteBeforeSpace(_ t: Text) -> Text {
        guard t.contains("'") else { return t }
        var out = Text()
        out.reserveCapacity(t.count + 8)
        var i = 0
        while i < t.count {
            if t[i] != "'" && i + 2 < t.count && t[i + 1] == "'" && t[i + 2] == " " {
                out.append(t[i])
                out.append(contentsOf: " ' ".unicodeScalars)
                i += 3
            } else {
                out.append(t[i])
                i += 1
            }
        }
        return out
    }

    /// `\s+` → ` `.
    static func collapseSpaces(_ t: Text) -> Text {
        var out = Text()
        out.reserveCapacity(t.count)
        var inSpace = false
        for c in t {
            if RegexChars.isSpace(c) {
                if !inSpace { out.append(" ") }
                inSpace = true
            } else {
                out.append(c)
                inSpace = false
            }
        }
        return out
    }

    /// `([^' ])('[sS]|'[mM]|'[dD]|') `.
    static let shortClitics: [Text] = ["'s", "'S", "'m", "'M", "'d", "'D", "'"].map { Array($0.unicodeScalars) }
    /// `([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) `.
    static let longClitics: [Text] = ["'ll", "'LL", "'re", "'RE", "'ve", "'VE", "n't", "N'T"].map { Array($0.unicodeScalars) }

    /// `([^' ])(SUFFIX|...) ` → `\1 \2 `, alternatives tried in order.
    static func clitics(_ t: Text, suffixes: [Text]) -> Text {
        guard t.contains("'") else { return t }
        var out = Text()
        out.reserveCapacity(t.count + 8)
        var i = 0
        outer: while i < t.count {
            let c = t[i]
            if c != "'" && c != " " {
                for suffix in suffixes {
                    let end = i + 1 + suffix.count
                    if end < t.count && t[end] == " " && t[(i + 1)..<end].elementsEqual(suffix) {
                        out.append(c)
                        out.append(" ")
                        out.append(contentsOf: suffix)
                        out.append(" ")
                        i = end + 1
                        continue outer
                    }
                }
            }
            out.append(c)
            i += 1
        }
        return out
    }

    /// MacIntyre's two-part contractions: `(?i)\b(FIRST)(SECOND)\b` (`(?=\s)` for wanna).
    static let contractions2: [(String, String, Bool)] = [
        ("can", "not", false), ("d", "'ye", false), ("gim", "me", false), ("gon", "na", false),
        ("got", "ta", false), ("lem", "me", false), ("more", "'n", false), ("wan", "na", true),
    ]

    static func splitContraction(_ t: Text, _ first: String, _ second: String, lookaheadSpace: Bool) -> Text {
        let a = first.utf8.count, b = second.utf8.count
        guard t.count >= a + b else { return t }
        var out = Text()
        var changed = false
        var i = 0
        while i < t.count {
            if (i == 0 || !PythonChars.isWord(t[i - 1])), matchesWord(t, at: i, first), matchesWord(t, at: i + a, second) {
                let end = i + a + b
                let ok = lookaheadSpace ? end < t.count && PythonChars.isSpace(t[end]) : boundaryAfter(t, end)
                if ok {
                    if !changed { out = Text(t[..<i]); out.reserveCapacity(t.count + 8); changed = true }
                    out.append(" ")
                    out.append(contentsOf: t[i..<(i + a)])
                    out.append(" ")
                    out.append(contentsOf: t[(i + a)..<end])
                    out.append(" ")
                    i = end
                    continue
                }
            }
            if changed { out.append(t[i]) }
            i += 1
        }
        return changed ? out : t
    }

    /// `(?i) ('t)(SECOND)\b` → ` \1 \2 `.
    static func splitLeadingT(_ t: Text, _ second: String) -> Text {
        guard t.contains("'") else { return t }
        let b = second.utf8.count
        var out = Text()
        out.reserveCapacity(t.count + 8)
        var i = 0
        while i < t.count {
            if t[i] == " ", matchesWord(t, at: i + 1, "'t"), matchesWord(t, at: i + 3, second), boundaryAfter(t, i + 3 + b) {
                out.append(" ")
                out.append(contentsOf: t[(i + 1)..<(i + 3)])
                out.append(" ")
                out.append(contentsOf: t[(i + 3)..<(i + 3 + b)])
                out.append(" ")
                i += 3 + b
                continue
            }
            out.append(t[i])
            i += 1
        }
        return out
    }

    /// Whether `word` (ASCII; letters compared as `(?i)` does) is at `t[at...]`.
    static func matchesWord(_ t: Text, at: Int, _ word: String) -> Bool {
        var i = at
        for byte in word.utf8 {
            guard i < t.count else { return false }
            let c = t[i]
            if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") {
                guard PythonChars.matchesIgnoringCase(c, byte) else { return false }
            } else if c.value != UInt32(byte) {
                return false
            }
            i += 1
        }
        return true
    }

    /// `\b` after a word character at `end - 1`: the end of the text or a non-word character.
    static func boundaryAfter(_ t: Text, _ end: Int) -> Bool {
        end >= t.count || !PythonChars.isWord(t[end])
    }

    /// `str.split()`.
    static func split(_ t: Text) -> [String] {
        var tokens: [String] = []
        var start: Int?
        for i in 0...t.count {
            if i == t.count || PythonChars.isSpace(t[i]) {
                if let s = start {
                    var token = String.UnicodeScalarView()
                    token.append(contentsOf: t[s..<i])
                    tokens.append(String(token))
                    start = nil
                }
            } else if start == nil {
                start = i
            }
        }
        return tokens
    }
}
