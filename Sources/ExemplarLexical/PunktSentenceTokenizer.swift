/// nltk's Punkt sentence splitter (`PunktSentenceTokenizer` with its English `punkt_tab`
/// parameters), as `word_tokenize` calls it: candidate ends (`.`, `?`, `!`) with their
/// context, Punkt's word segmentation of the context, the first pass (abbreviations,
/// ellipses) and the second pass (collocations, orthographic and sentence-starter
/// heuristics, initials and numbers), then the realignment of closing quotes and brackets.
/// Offsets are in Unicode scalars, as Python's are in code points; patterns use the `regex`
/// module's classes (`RegexChars`), string methods Python's (`PythonChars`).
public struct PunktSentenceTokenizer: Sendable {
    /// A trained model's parameters.
    public struct Parameters: Sendable {
        public var abbreviations: Set<String>
        public var collocations: Set<String>   // "first\tsecond"
        public var sentenceStarters: Set<String>
        public var orthographicContext: [String: Int]

        public init(abbreviations: Set<String>, collocations: Set<String>, sentenceStarters: Set<String>, orthographicContext: [String: Int]) {
            self.abbreviations = abbreviations
            self.collocations = collocations
            self.sentenceStarters = sentenceStarters
            self.orthographicContext = orthographicContext
        }
    }

    public let parameters: Parameters

    public init(parameters: Parameters) {
        self.parameters = parameters
    }

    /// English, as nltk's `punkt_tab/english` (see `PunktEnglish`).
    public static let english = PunktSentenceTokenizer(parameters: PunktEnglish.parameters)

    typealias Text = [Unicode.Scalar]

    /// The sentences of `text`.
    public func sentences(_ text: String) -> [String] {
        let t = Array(text.unicodeScalars)
        return spans(t).map { Self.string(t[$0]) }
    }

    /// Sentence spans (`span_tokenize` with realignment).
    func spans(_ t: Text) -> [Range<Int>] {
        realign(t, slices(t))
    }

    // MARK: - Candidate ends and their contexts

    struct EndMatch {
        let start: Int          // the end character
        let afterStart: Int     // after_tok group
        let afterEnd: Int
        let nextToken: Int?     // start of next_tok
    }

    static let nonWordChars: Set<Unicode.Scalar> = [")", "\"", ";", "}", "]", "*", ":", "@", "'", "(", "{", "[",
                                                    "\u{2018}", "\u{2019}", "\u{201C}", "\u{201D}", "\u{AB}", "\u{BB}", "?", "!"]

    /// `period_context_re().finditer(text)`.
    static func endMatches(_ t: Text) -> [EndMatch] {
        var out: [EndMatch] = []
        for i in 0..<t.count where t[i] == "." || t[i] == "?" || t[i] == "!" {
            guard i + 1 < t.count else { continue }
            if nonWordChars.contains(t[i + 1]) {
                out.append(EndMatch(start: i, afterStart: i + 1, afterEnd: i + 2, nextToken: nil))
                continue
            }
            var j = i + 1
            while j < t.count && RegexChars.isSpace(t[j]) { j += 1 }
            guard j > i + 1, j < t.count else { continue }
            var k = j
            while k < t.count && !RegexChars.isSpace(t[k]) { k += 1 }
            out.append(EndMatch(start: i, afterStart: i + 1, afterEnd: k, nextToken: j))
        }
        return out
    }

    /// `_match_potential_end_contexts`: each candidate with the word before it and the token
    /// after, overlapping candidates merged into the last one.
    static func contexts(_ t: Text) -> [(EndMatch, Text)] {
        var out: [(EndMatch, Text)] = []
        var previous = 0..<0
        var previousMatch: EndMatch?
        func context(_ slice: Range<Int>, _ m: EndMatch) -> Text {
            Text(t[clamped(slice, t.count)]) + [t[m.start]] + Text(t[m.afterStart..<m.afterEnd])
        }
        for m in endMatches(t) {
            let beforeStart = previous.upperBound
            var lastSpace = 0
            if beforeStart < m.start {
                for i in stride(from: m.start - 1, through: beforeStart, by: -1) where isASCIIWhitespace(t[i]) {
                    lastSpace = i - beforeStart
                    break
                }
            }
            let wordStart = lastSpace != 0 ? lastSpace + previous.upperBound + 1 : previous.lowerBound
            let word = wordStart..<max(wordStart, m.start)
            if let pm = previousMatch, previous.upperBound <= word.lowerBound {
                out.append((pm, context(previous, pm)))
            }
            previousMatch = m
            previous = wordStart..<m.start
        }
        if let pm = previousMatch { out.append((pm, context(previous, pm))) }
        return out
    }

    static func clamped(_ r: Range<Int>, _ n: Int) -> Range<Int> {
        let lo = min(max(r.lowerBound, 0), n)
        return lo..<max(lo, min(r.upperBound, n))
    }

    /// `string.whitespace`.
    static func isASCIIWhitespace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0B}" || c == "\u{0C}"
    }

    /// `_slices_from_text`.
    func slices(_ t: Text) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var lastBreak = 0
        for (m, context) in Self.contexts(t) where containsSentenceBreak(context) {
            out.append(lastBreak..<max(lastBreak, m.start + 1))
            lastBreak = m.nextToken ?? (m.start + 1)
        }
        var end = t.count
        while end > 0 && PythonChars.isSpace(t[end - 1]) { end -= 1 }
        out.append(lastBreak..<max(lastBreak, end))
        return out
    }

    /// `_realign_boundaries`: closing quotes and brackets after an end go with its sentence.
    func realign(_ t: Text, _ slices: [Range<Int>]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var realign = 0
        for (i, s) in slices.enumerated() {
            let sentence1 = (s.lowerBound + realign)..<max(s.lowerBound + realign, s.upperBound)
            guard i + 1 < slices.count else {
                if !Self.clamped(sentence1, t.count).isEmpty { out.append(sentence1) }
                continue
            }
            let next = slices[i + 1]
            if let end = Self.realignmentMatch(t, from: next.lowerBound, to: next.upperBound) {
                var kept = end.end
                while kept > next.lowerBound && PythonChars.isSpace(t[kept - 1]) { kept -= 1 }
                out.append(sentence1.lowerBound..<kept)
                realign = end.end - next.lowerBound
            } else {
                realign = 0
                if !Self.clamped(sentence1, t.count).isEmpty { out.append(sentence1) }
            }
        }
        return out.map { Self.clamped($0, t.count) }
    }

    static let realignClosers: Set<Unicode.Scalar> = ["\"", "'", ")", "]", "}", "\u{2018}", "\u{2019}", "\u{201C}", "\u{201D}", "\u{AB}", "\u{BB}"]

    /// `re_boundary_realignment.match(text[from:to])`: closers (as few as work), then
    /// whitespace, `--` or the end.
    static func realignmentMatch(_ t: Text, from: Int, to: Int) -> (end: Int, Void)? {
        var j = from
        while j < to && realignClosers.contains(t[j]) {
            j += 1
            if j < to && RegexChars.isSpace(t[j]) {
                var k = j
                while k < to && RegexChars.isSpace(t[k]) { k += 1 }
                return (k, ())
            }
            if j + 1 < to && t[j] == "-" && t[j + 1] == "-" { return (j, ()) }
            if j == to || t[j] == "\n" { return (j, ()) }
        }
        return nil
    }

    // MARK: - Tokens and annotation

    struct Token {
        let text: Text
        let type: String
        let periodFinal: Bool
        var sentenceBreak = false
        var abbreviation = false
        var ellipsis = false

        init(_ text: Text) {
            self.text = text
            let lower = PunktSentenceTokenizer.string(text[...]).lowercased()
            type = Token.isNumeric(Array(lower.unicodeScalars)) ? "##number##" : lower
            periodFinal = text.last == "."
        }

        /// `^-?[\.,]?\d[\d,\.-]*\.?$`.
        static func isNumeric(_ t: Text) -> Bool {
            var i = 0
            if i < t.count && t[i] == "-" { i += 1 }
            if i < t.count && (t[i] == "." || t[i] == ",") { i += 1 }
            guard i < t.count, RegexChars.isDigit(t[i]) else {
                // `[\.,]?` may also match nothing before the digit.
                return false
            }
            i += 1
            while i < t.count && (RegexChars.isDigit(t[i]) || t[i] == "," || t[i] == "." || t[i] == "-") { i += 1 }
            return i == t.count
        }

        var typeNoPeriod: String {
            type.unicodeScalars.count > 1 && type.hasSuffix(".") ? String(type.dropLast()) : type
        }
        var typeNoSentencePeriod: String { sentenceBreak ? typeNoPeriod : type }
        var firstUpper: Bool { text.first?.properties.isUppercase ?? false }
        var firstLower: Bool { text.first?.properties.isLowercase ?? false }
        /// `\.\.+$` from the start: only periods, at least two.
        var isEllipsis: Bool { text.count >= 2 && text.allSatisfy { $0 == "." } }
        var isNumber: Bool { type.hasPrefix("##number##") }
        /// `[^\W\d]\.$`: a letter (word character, not a digit) and a period.
        var isInitial: Bool { text.count == 2 && text[1] == "." && RegexChars.isWord(text[0]) && !RegexChars.isDigit(text[0]) }
    }

    /// `_tokenize_words`: Punkt's word segmentation, line by line.
    static func words(_ t: Text) -> [Token] {
        var tokens: [Token] = []
        var lineStart = 0
        for i in 0...t.count where i == t.count || t[i] == "\n" {
            let line = Text(t[lineStart..<i])
            lineStart = i + 1
            guard line.contains(where: { !PythonChars.isSpace($0) }) else { continue }
            tokens += wordsOfLine(line).map(Token.init)
        }
        return tokens
    }

    static let wordStartExcluded: Set<Unicode.Scalar> = ["(", "\"", "`", "{", "[", ":", ";", "&", "#", "*", "@", ")", "}", "]", "-", ","]

    /// `(?:\-{2,}|\.{2,}|(?:\.\s){2,}\.)` at `i`: the end of the match.
    static func multiChar(_ t: Text, _ i: Int) -> Int? {
        guard i < t.count else { return nil }
        if t[i] == "-" || t[i] == "." {
            var j = i
            while j < t.count && t[j] == t[i] { j += 1 }
            if j - i >= 2 { return j }
        }
        if t[i] == "." {
            var reps = 0
            var j = i
            while j + 1 < t.count && t[j] == "." && RegexChars.isSpace(t[j + 1]) { reps += 1; j += 2 }
            // Greedy repetitions, backing off until a period follows.
            while reps >= 2 {
                let end = i + 2 * reps
                if end < t.count && t[end] == "." { return end + 1 }
                reps -= 1
            }
        }
        return nil
    }

    /// `_word_tokenizer_re().findall(line)`.
    static func wordsOfLine(_ t: Text) -> [Text] {
        var out: [Text] = []
        var i = 0
        while i < t.count {
            if let end = multiChar(t, i) {
                out.append(Text(t[i..<end]))
                i = end
                continue
            }
            if RegexChars.isSpace(t[i]) { i += 1; continue }
            if !wordStartExcluded.contains(t[i]) {
                var j = i + 1
                while j < t.count && !wordEnds(t, j) { j += 1 }
                out.append(Text(t[i..<j]))
                i = j
                continue
            }
            out.append([t[i]])
            i += 1
        }
        return out
    }

    /// The lookahead that ends a word at `j`: whitespace, the end, a non-word character, a
    /// multi-character punctuation, or a comma followed by one of those.
    static func wordEnds(_ t: Text, _ j: Int) -> Bool {
        if j >= t.count || RegexChars.isSpace(t[j]) || nonWordChars.contains(t[j]) || multiChar(t, j) != nil { return true }
        if t[j] == "," {
            let k = j + 1
            return k >= t.count || RegexChars.isSpace(t[k]) || nonWordChars.contains(t[k]) || multiChar(t, k) != nil
        }
        return false
    }

    /// `text_contains_sentbreak`: a sentence break followed by another token.
    func containsSentenceBreak(_ context: Text) -> Bool {
        var tokens = Self.words(context)
        for i in tokens.indices { firstPass(&tokens[i]) }
        var found = false
        for i in tokens.indices {
            if i + 1 < tokens.count { secondPass(&tokens[i], tokens[i + 1]) }
            if found { return true }
            if tokens[i].sentenceBreak { found = true }
        }
        return false
    }

    func firstPass(_ token: inout Token) {
        let t = token.text
        if t.count == 1 && (t[0] == "." || t[0] == "?" || t[0] == "!") {
            token.sentenceBreak = true
        } else if token.isEllipsis {
            token.ellipsis = true
        } else if token.periodFinal && !(t.count >= 2 && t[t.count - 2] == ".") {
            let stem = Self.string(t.dropLast()).lowercased()
            let lastPart = stem.split(separator: "-", omittingEmptySubsequences: false).last.map(String.init) ?? stem
            if parameters.abbreviations.contains(stem) || parameters.abbreviations.contains(lastPart) {
                token.abbreviation = true
            } else {
                token.sentenceBreak = true
            }
        }
    }

    static let orthoBegUC = 1 << 1, orthoMidUC = 1 << 2, orthoUnkUC = 1 << 3
    static let orthoBegLC = 1 << 4, orthoMidLC = 1 << 5, orthoUnkLC = 1 << 6
    static let orthoUC = orthoBegUC + orthoMidUC + orthoUnkUC
    static let orthoLC = orthoBegLC + orthoMidLC + orthoUnkLC

    func secondPass(_ token: inout Token, _ next: Token) {
        guard token.periodFinal else { return }
        let type = token.typeNoPeriod
        let nextType = next.typeNoSentencePeriod
        let initial = token.isInitial
        if parameters.collocations.contains(type + "\t" + nextType) {
            token.sentenceBreak = false
            token.abbreviation = true
            return
        }
        if (token.abbreviation || token.ellipsis) && !initial {
            if orthographic(next) == true {
                token.sentenceBreak = true
                return
            }
            if next.firstUpper && parameters.sentenceStarters.contains(nextType) {
                token.sentenceBreak = true
                return
            }
        }
        if initial || type == "##number##" {
            let starter = orthographic(next)
            if starter == false {
                token.sentenceBreak = false
                token.abbreviation = true
                return
            }
            if starter == nil && initial && next.firstUpper && (parameters.orthographicContext[nextType] ?? 0) & Self.orthoLC == 0 {
                token.sentenceBreak = false
                token.abbreviation = true
            }
        }
    }

    /// `_ortho_heuristic`: true (starts a sentence), false (does not), nil (unknown).
    func orthographic(_ token: Token) -> Bool? {
        if token.text.count == 1, ";:,.!?".unicodeScalars.contains(token.text[0]) { return false }
        let context = parameters.orthographicContext[token.typeNoSentencePeriod] ?? 0
        if token.firstUpper && context & Self.orthoLC != 0 && context & Self.orthoMidUC == 0 { return true }
        if token.firstLower && (context & Self.orthoUC != 0 || context & Self.orthoBegLC == 0) { return false }
        return nil
    }

    static func string(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
