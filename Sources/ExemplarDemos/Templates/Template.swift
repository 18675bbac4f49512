/// A parsed LM-BFF template such as `*cls**sent_0*_It_was*mask*.*sep+*`.
///
/// The source is split on `*`; pieces between a pair of stars are variables, the others
/// literal text (`_` is a space). LM-BFF treats any unrecognised piece as literal text; here a
/// piece in a variable's place must be a known variable, so a typo (`*sent0*`) is an error
/// rather than text in the prompt. LM-BFF's own manual and generated templates all parse.
public struct Template: Sendable, Hashable, CustomStringConvertible {
    /// The parts in order (empty literal pieces dropped).
    public let parts: [TemplatePart]

    /// Parses `source`.
    public init(_ source: String) throws(TemplateError) {
        let pieces = source.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard pieces.count % 2 == 1 else { throw .unbalancedStar(template: source) }
        var parts: [TemplatePart] = []
        for (index, piece) in pieces.enumerated() {
            if index % 2 == 0 {
                if !piece.isEmpty { parts.append(.text(piece)) }
            } else {
                guard let part = Self.variable(piece) else { throw .unknownToken(piece, template: source) }
                parts.append(part)
            }
        }
        self.parts = parts
    }

    /// A template made of `parts`.
    public init(parts: [TemplatePart]) {
        self.parts = parts
    }

    /// The template in LM-BFF's syntax.
    public var description: String { parts.map(\.source).joined() }

    /// How many query sentences the template uses: 2 when it names sentence 1, else 1 (run.py's
    /// `sent_num`, which checks for `_1` in the template text).
    public var querySentenceCount: Int {
        parts.contains { if case .sentence(1, _) = $0 { true } else { false } } ? 2 : 1
    }

    /// The template with LM-BFF's automatic demonstrations (run.py, `--auto_demo`): after the
    /// template, for each label `l` in order and each of its `perLabel` demonstrations, a copy
    /// without `*cls*` whose sentence `k` becomes sentence `n + n·d + k` (`n` the query sentence
    /// count, `d` the demonstration's place) and whose `*mask*` becomes `*label_l*`.
    ///
    /// run.py rewrites the template text (`replace("_k", …)`); this rewrites parsed parts, which
    /// is the same for every template whose literal text and label tokens hold no `_k`.
    public func withDemonstrations(labels: Int, perLabel: Int = 1) -> Template {
        let n = querySentenceCount
        var result = parts
        let body = parts.filter { $0 != .cls }
        for label in 0..<labels {
            for copy in 0..<perLabel {
                let demo = label * perLabel + copy
                result += body.map { part in
                    switch part {
                    case let .sentence(k, style) where k < n: .sentence(n + n * demo + k, style)
                    case .mask: .labelWord(label)
                    default: part
                    }
                }
            }
        }
        return Template(parts: result)
    }

    /// The template with GPT-3-style in-context demonstrations (run.py with
    /// `gpt3_in_context_tail` / `_head`): copies without `*cls*` for demonstrations
    /// `0..<count`, sentences shifted as in `withDemonstrations`, `*mask*` → `*labelx_i*`.
    /// Tail appends them in order; head prepends each in turn, so the last demonstration comes
    /// first and the query's template (with its `*cls*`) last, exactly as run.py builds it.
    public func withInContextDemonstrations(count: Int, placement: InContextPlacement) -> Template {
        let n = querySentenceCount
        let body = parts.filter { $0 != .cls }
        var result = parts
        for demo in 0..<count {
            let copy: [TemplatePart] = body.map { part in
                switch part {
                case let .sentence(k, style) where k < n: .sentence(n + n * demo + k, style)
                case .mask: .demoLabelWord(demo)
                default: part
                }
            }
            result = placement == .tail ? result + copy : copy + result
        }
        return Template(parts: result)
    }

    /// The part a variable name stands for, or nil.
    private static func variable(_ name: String) -> TemplatePart? {
        switch name {
        case "cls": return .cls
        case "mask": return .mask
        case "sep": return .sep(plus: false)
        case "sep+": return .sep(plus: true)
        default: break
        }
        guard let underscore = name.lastIndex(of: "_") else { return nil }
        let head = String(name[..<underscore])
        let digits = name[name.index(after: underscore)...]
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let index = Int(digits) else { return nil }
        switch head {
        case "label": return .labelWord(index)
        case "labelx": return .demoLabelWord(index)
        default: return SentenceStyle.known[head].map { .sentence(index, $0) }
        }
    }
}

/// Where GPT-3-style in-context demonstrations go relative to the query.
public enum InContextPlacement: String, Sendable, Hashable, CaseIterable {
    /// Before the query (`gpt3_in_context_head`).
    case head
    /// After the query (`gpt3_in_context_tail`).
    case tail
}
