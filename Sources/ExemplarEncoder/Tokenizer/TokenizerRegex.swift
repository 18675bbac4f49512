import Foundation

/// The regular expressions tokenizer.json holds (`Split` and `Replace` patterns), matched as
/// Oniguruma matches them in Hugging Face tokenizers: backtracking, leftmost-first
/// alternation, greedy and lazy quantifiers, on Unicode scalars.
///
/// Supported: literals and escapes (`\n \t \r \f \v \\ \. \uXXXX \x{...}`), `.`, classes
/// (`[a-z]`, `[^...]`, nested escapes), `\s \S \d \D \w \W`, `\p{L}`/`\P{N}`/`\pL` (general
/// categories and their long names), groups `(...)`, `(?:...)`, `(?i:...)`, `(?i)`, lookahead
/// `(?=...)`/`(?!...)`, anchors `^ $ \A \z`, quantifiers `* + ? {n} {n,} {n,m}` and their lazy
/// forms. Anything else is a `TokenizerRegex.Unsupported` naming the construct, never a
/// silently different pattern.
public struct TokenizerRegex: Sendable {
    /// The pattern as written.
    public let pattern: String
    let root: Node

    /// A construct the matcher does not implement, or a malformed pattern.
    public struct Unsupported: Error, Sendable {
        public let reason: String
    }

    public init(_ pattern: String) throws(Unsupported) {
        self.pattern = pattern
        var parser = Parser(scalars: Array(pattern.unicodeScalars))
        root = try parser.parseAll()
    }

    /// A pattern that matches `literal` exactly (tokenizers escapes string patterns).
    public init(literal: String) {
        pattern = literal
        root = .sequence(literal.unicodeScalars.map { .scalar($0, caseless: false) })
    }

    indirect enum Node: Sendable {
        case scalar(Unicode.Scalar, caseless: Bool)
        case any
        case set(CharSet, caseless: Bool)
        case sequence([Node])
        case alternation([Node])
        case repeated(Node, min: Int, max: Int, greedy: Bool)
        case lookahead(Node, negative: Bool)
        case lineStart, lineEnd, textStart, textEnd
    }

    /// A character class: items, optionally negated.
    struct CharSet: Sendable {
        enum Item: Sendable {
            case range(UInt32, UInt32)
            case property(ScalarClass, negated: Bool)
            case set(CharSet)
        }
        var items: [Item]
        var negated: Bool

        func contains(_ s: Unicode.Scalar) -> Bool {
            var hit = false
            for item in items {
                switch item {
                case .range(let lo, let hi): hit = s.value >= lo && s.value <= hi
                case .property(let c, let negated): hit = c.contains(s) != negated
                case .set(let inner): hit = inner.contains(s)
                }
                if hit { break }
            }
            return hit != negated
        }
    }

    /// The non-overlapping matches of the pattern in `text`, left to right, as scalar ranges
    /// (an empty match moves the search on by one scalar, as Oniguruma's iterator does).
    public func matches(in text: [Unicode.Scalar]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0
        while start <= text.count {
            var found: Range<Int>?
            var s = start
            while s <= text.count {
                if let end = Matcher(text: text).match(root, s, { $0 }) {
                    found = s..<end
                    break
                }
                s += 1
            }
            guard let m = found else { break }
            out.append(m)
            start = m.isEmpty ? m.upperBound + 1 : m.upperBound
        }
        return out
    }

    struct Matcher {
        let text: [Unicode.Scalar]

        /// Matches `node` at `pos`, then the continuation `k`; the end of the overall match or nil.
        func match(_ node: Node, _ pos: Int, _ k: (Int) -> Int?) -> Int? {
            switch node {
            case .scalar(let c, let caseless):
                guard pos < text.count else { return nil }
                let t = text[pos]
                if t == c || (caseless && Self.fold(t) == Self.fold(c)) { return k(pos + 1) }
                return nil
            case .any:
                guard pos < text.count, text[pos] != "\n" else { return nil }
                return k(pos + 1)
            case .set(let set, let caseless):
                guard pos < text.count else { return nil }
                let t = text[pos]
                if set.contains(t) || (caseless && (set.contains(Self.fold(t)) || set.contains(Self.upper(t)))) {
                    return k(pos + 1)
                }
                return nil
            case .sequence(let nodes):
                return matchSequence(nodes[...], pos, k)
            case .alternation(let options):
                for option in options {
                    if let end = match(option, pos, k) { return end }
                }
                return nil
            case .repeated(let inner, let min, let max, let greedy):
                return matchRepeat(inner, min: min, max: max, greedy: greedy, count: 0, pos, lastPos: -1, k)
            case .lookahead(let inner, let negative):
                let hit = match(inner, pos, { $0 }) != nil
                return hit != negative ? k(pos) : nil
            case .lineStart:
                return pos == 0 || text[pos - 1] == "\n" ? k(pos) : nil
            case .lineEnd:
                return pos == text.count || text[pos] == "\n" ? k(pos) : nil
            case .textStart:
                return pos == 0 ? k(pos) : nil
            case .textEnd:
                return pos == text.count ? k(pos) : nil
            }
        }

        func matchSequence(_ nodes: ArraySlice<Node>, _ pos: Int, _ k: (Int) -> Int?) -> Int? {
            guard let first = nodes.first else { return k(pos) }
            return match(first, pos) { next in matchSequence(nodes.dropFirst(), next, k) }
        }

        func matchRepeat(_ inner: Node, min: Int, max: Int, greedy: Bool, count: Int, _ pos: Int,
                         lastPos: Int, _ k: (Int) -> Int?) -> Int? {
            // An iteration that consumed nothing cannot help (and would loop).
            if count > min && pos == lastPos { return nil }
            if count < min {
                return match(inner, pos) { next in
                    matchRepeat(inner, min: min, max: max, greedy: greedy, count: count + 1, next, lastPos: pos, k)
                }
            }
            func more() -> Int? {
                guard count < max else { return nil }
                return match(inner, pos) { next in
                    matchRepeat(inner, min: min, max: max, greedy: greedy, count: count + 1, next, lastPos: pos, k)
                }
            }
            if greedy {
                if let end = more() { return end }
                return k(pos)
            }
            if let end = k(pos) { return end }
            return more()
        }

        static func fold(_ s: Unicode.Scalar) -> Unicode.Scalar {
            let lower = s.properties.lowercaseMapping.unicodeScalars
            return lower.count == 1 ? lower.first! : s
        }

        static func upper(_ s: Unicode.Scalar) -> Unicode.Scalar {
            let upper = s.properties.uppercaseMapping.unicodeScalars
            return upper.count == 1 ? upper.first! : s
        }
    }

    struct Parser {
        let scalars: [Unicode.Scalar]
        var i = 0
        var caseless = false

        init(scalars: [Unicode.Scalar]) { self.scalars = scalars }

        func fail(_ reason: String) -> Unsupported {
            Unsupported(reason: "\(reason) at position \(i) of the pattern")
        }

        var atEnd: Bool { i >= scalars.count }
        var peek: Unicode.Scalar? { atEnd ? nil : scalars[i] }

        mutating func parseAll() throws(Unsupported) -> Node {
            let node = try parseAlternation()
            if !atEnd { throw fail("unbalanced \")\"") }
            return node
        }

        mutating func parseAlternation() throws(Unsupported) -> Node {
            var options = [try parseSequence()]
            while peek == "|" {
                i += 1
                options.append(try parseSequence())
            }
            return options.count == 1 ? options[0] : .alternation(options)
        }

        mutating func parseSequence() throws(Unsupported) -> Node {
            var nodes: [Node] = []
            while let c = peek, c != "|", c != ")" {
                var atom = try parseAtom()
                atom = try parseQuantifiers(atom)
                nodes.append(atom)
            }
            return nodes.count == 1 ? nodes[0] : .sequence(nodes)
        }

        mutating func parseQuantifiers(_ atom: Node) throws(Unsupported) -> Node {
            var node = atom
            while let c = peek {
                var min = 0, max = Int.max
                switch c {
                case "*": i += 1
                case "+": min = 1; i += 1
                case "?": max = 1; i += 1
                case "{":
                    guard let (lo, hi, length) = counted(at: i) else { return node }
                    min = lo; max = hi; i += length
                default: return node
                }
                var greedy = true
                if peek == "?" { greedy = false; i += 1 } else if peek == "+" {
                    throw fail("possessive quantifiers are not supported")
                }
                node = .repeated(node, min: min, max: max, greedy: greedy)
            }
            return node
        }

        /// `{n}`, `{n,}`, `{n,m}` at `start`: the bounds and the length; nil when it is a literal brace.
        func counted(at start: Int) -> (Int, Int, Int)? {
            var j = start + 1
            func number() -> Int? {
                var n: Int?
                while j < scalars.count, (0x30...0x39).contains(scalars[j].value) {
                    n = (n ?? 0) * 10 + Int(scalars[j].value - 0x30)
                    j += 1
                }
                return n
            }
            guard let lo = number() else { return nil }
            var hi = lo
            if j < scalars.count, scalars[j] == "," {
                j += 1
                hi = number() ?? Int.max
            }
            guard j < scalars.count, scalars[j] == "}" else { return nil }
            return (lo, hi, j + 1 - start)
        }

        mutating func parseAtom() throws(Unsupported) -> Node {
            let c = scalars[i]
            i += 1
            switch c {
            case "(":
                return try parseGroup()
            case "[":
                return .set(try parseClass(), caseless: caseless)
            case ".":
                return .any
            case "^":
                return .lineStart
            case "$":
                return .lineEnd
            case "\\":
                return try parseEscape(inClass: false)
            case "*", "+", "?":
                throw fail("nothing to repeat")
            default:
                return .scalar(c, caseless: caseless)
            }
        }

        mutating func parseGroup() throws(Unsupported) -> Node {
            let saved = caseless
            defer { caseless = saved }
            var lookahead: Bool?
            if peek == "?" {
                i += 1
                guard let c = peek else { throw fail("unterminated group") }
                switch c {
                case ":": i += 1
                case "=": i += 1; lookahead = false
                case "!": i += 1; lookahead = true
                case "i", "-":
                    var on = true
                    while let f = peek, f != ":" && f != ")" {
                        switch f {
                        case "i": caseless = on
                        case "-": on = false
                        default: throw fail("group flag \"\(f)\" is not supported")
                        }
                        i += 1
                    }
                    if peek == ")" {  // (?i) applies to the rest of the enclosing group
                        i += 1
                        let rest = try parseAlternation()
                        return rest
                    }
                    i += 1
                default:
                    throw fail("group \"(?\(c)\" is not supported")
                }
            }
            let inner = try parseAlternation()
            guard peek == ")" else { throw fail("unterminated group") }
            i += 1
            if let negative = lookahead { return .lookahead(inner, negative: negative) }
            return inner
        }

        mutating func parseClass() throws(Unsupported) -> CharSet {
            var set = CharSet(items: [], negated: false)
            if peek == "^" { set.negated = true; i += 1 }
            var first = true
            while true {
                guard let c = peek else { throw fail("unterminated character class") }
                if c == "]" && !first { i += 1; break }
                first = false
                i += 1
                var lo: Unicode.Scalar
                if c == "[" {
                    if peek == ":" { throw fail("POSIX classes are not supported") }
                    set.items.append(.set(try parseClass()))
                    continue
                } else if c == "\\" {
                    switch try parseEscape(inClass: true) {
                    case .scalar(let s, _): lo = s
                    case .set(let inner, _): set.items.append(.set(inner)); continue
                    default: throw fail("escape not allowed in a class")
                    }
                } else {
                    lo = c
                }
                if peek == "-", i + 1 < scalars.count, scalars[i + 1] != "]" {
                    i += 1
                    var hi = scalars[i]
                    i += 1
                    if hi == "\\" {
                        guard case .scalar(let s, _) = try parseEscape(inClass: true) else { throw fail("bad class range") }
                        hi = s
                    }
                    guard hi.value >= lo.value else { throw fail("bad class range") }
                    set.items.append(.range(lo.value, hi.value))
                } else {
                    set.items.append(.range(lo.value, lo.value))
                }
            }
            return set
        }

        mutating func parseEscape(inClass: Bool) throws(Unsupported) -> Node {
            guard let c = peek else { throw fail("trailing backslash") }
            i += 1
            func property(_ p: ScalarClass, _ negated: Bool) -> Node {
                .set(CharSet(items: [.property(p, negated: negated)], negated: false), caseless: false)
            }
            switch c {
            case "s": return property(.whitespace, false)
            case "S": return property(.whitespace, true)
            case "d": return property(.decimal, false)
            case "D": return property(.decimal, true)
            case "w": return property(.word, false)
            case "W": return property(.word, true)
            case "n": return .scalar("\n", caseless: false)
            case "t": return .scalar("\t", caseless: false)
            case "r": return .scalar("\r", caseless: false)
            case "f": return .scalar("\u{0C}", caseless: false)
            case "v": return .scalar("\u{0B}", caseless: false)
            case "a": return .scalar("\u{07}", caseless: false)
            case "e": return .scalar("\u{1B}", caseless: false)
            case "0": return .scalar("\u{00}", caseless: false)
            case "A" where !inClass: return .textStart
            case "z" where !inClass: return .textEnd
            case "p", "P":
                let name: String
                if peek == "{" {
                    guard let close = scalars[i...].firstIndex(of: "}") else { throw fail("unterminated \\p{") }
                    name = String(String.UnicodeScalarView(scalars[(i + 1)..<close]))
                    i = close + 1
                } else {
                    guard let one = peek else { throw fail("trailing \\p") }
                    name = String(one)
                    i += 1
                }
                var negated = c == "P"
                var key = name
                if key.hasPrefix("^") { negated.toggle(); key.removeFirst() }
                guard let p = ScalarClass(propertyName: key) else { throw fail("property \\p{\(name)} is not supported") }
                return property(p, negated)
            case "u":
                return .scalar(try hex(count: 4), caseless: caseless)
            case "x":
                if peek == "{" {
                    guard let close = scalars[i...].firstIndex(of: "}"),
                          let v = UInt32(String(String.UnicodeScalarView(scalars[(i + 1)..<close])), radix: 16),
                          let s = Unicode.Scalar(v) else { throw fail("bad \\x{...}") }
                    i = close + 1
                    return .scalar(s, caseless: caseless)
                }
                return .scalar(try hex(count: 2), caseless: caseless)
            default:
                if c.properties.isAlphabetic || c.properties.numericType != nil {
                    throw fail("escape \\\(c) is not supported")
                }
                return .scalar(c, caseless: caseless)
            }
        }

        mutating func hex(count: Int) throws(Unsupported) -> Unicode.Scalar {
            guard i + count <= scalars.count,
                  let v = UInt32(String(String.UnicodeScalarView(scalars[i..<(i + count)])), radix: 16),
                  let s = Unicode.Scalar(v) else { throw fail("bad hex escape") }
            i += count
            return s
        }
    }
}

/// Character classes as Oniguruma and Rust define them over Unicode.
enum ScalarClass: Sendable {
    case whitespace, decimal, word
    case category(Set<Unicode.GeneralCategory>)

    init?(propertyName raw: String) {
        let name = raw.replacingOccurrences(of: "_", with: "").replacingOccurrences(of: " ", with: "").lowercased()
        typealias G = Unicode.GeneralCategory
        let letters: Set<G> = [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter]
        let marks: Set<G> = [.nonspacingMark, .spacingMark, .enclosingMark]
        let numbers: Set<G> = [.decimalNumber, .letterNumber, .otherNumber]
        let punctuation: Set<G> = [.connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                                   .initialPunctuation, .finalPunctuation, .otherPunctuation]
        let symbols: Set<G> = [.mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol]
        let separators: Set<G> = [.spaceSeparator, .lineSeparator, .paragraphSeparator]
        let other: Set<G> = [.control, .format, .privateUse, .surrogate, .unassigned]
        let table: [String: Set<G>] = [
            "l": letters, "letter": letters, "lu": [.uppercaseLetter], "uppercaseletter": [.uppercaseLetter],
            "ll": [.lowercaseLetter], "lowercaseletter": [.lowercaseLetter], "lt": [.titlecaseLetter],
            "lm": [.modifierLetter], "lo": [.otherLetter],
            "m": marks, "mark": marks, "mn": [.nonspacingMark], "mc": [.spacingMark], "me": [.enclosingMark],
            "n": numbers, "number": numbers, "nd": [.decimalNumber], "nl": [.letterNumber], "no": [.otherNumber],
            "p": punctuation, "punctuation": punctuation, "pc": [.connectorPunctuation], "pd": [.dashPunctuation],
            "ps": [.openPunctuation], "pe": [.closePunctuation], "pi": [.initialPunctuation],
            "pf": [.finalPunctuation], "po": [.otherPunctuation],
            "s": symbols, "symbol": symbols, "sm": [.mathSymbol], "sc": [.currencySymbol], "sk": [.modifierSymbol],
            "so": [.otherSymbol],
            "z": separators, "separator": separators, "zs": [.spaceSeparator], "zl": [.lineSeparator],
            "zp": [.paragraphSeparator],
            "c": other, "other": other, "cc": [.control], "cf": [.format], "co": [.privateUse], "cs": [.surrogate],
            "cn": [.unassigned],
        ]
        if let set = table[name] {
            self = .category(set)
        } else if name == "whitespace" || name == "space" {
            self = .whitespace
        } else {
            return nil
        }
    }

    func contains(_ s: Unicode.Scalar) -> Bool {
        switch self {
        case .whitespace: return s.properties.isWhitespace
        case .decimal: return s.properties.generalCategory == .decimalNumber
        case .word: return ScalarClass.isWord(s)
        case .category(let set): return set.contains(s.properties.generalCategory)
        }
    }

    /// `\w`: letters, marks, decimal digits and connector punctuation.
    static func isWord(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII {
            let v = s.value
            return (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) || v == 0x5F
        }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            return true
        default:
            return s.properties.isAlphabetic || s.properties.isJoinControl
        }
    }
}
