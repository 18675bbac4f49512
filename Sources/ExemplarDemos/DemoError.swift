import ExemplarCore

/// A problem with demonstration-selection inputs or options, naming the option or value and what to do.
public enum DemoError: ExemplarError, Hashable {
    public var exitCode: Int32 { 2 }

    /// An option outside its range: `option` names it, `expected` says what is allowed.
    case invalidOption(option: String, value: String, expected: String)
    /// Arrays that must have one entry per support example (or per row) disagree in length.
    case countMismatch(what: String, expected: Int, found: Int)
    /// A vector whose length is not the support set's dimension.
    case dimensionMismatch(what: String, expected: Int, found: Int)
    /// A support label that is not in the label list.
    case unknownLabel(label: String, known: [String])
    /// A regression label that is not a finite number.
    case notANumber(label: String)
    /// Two support examples share an id.
    case duplicateID(Int)
    /// The support set has no examples, or none is left once the query itself is excluded.
    case noCandidates
    /// LM-BFF's filter keeps nothing: `candidates // labels * rate` rounds down to 0.
    case filterKeepsNothing(rate: Double, candidates: Int, labels: Int)
    /// A request option that is out of range or does not fit the data.
    case invalidParameter(DemoRequest.Parameter, value: String?, reason: String)
    /// The request's template or label words cannot be used.
    case template(TemplateError)
    /// The queries given cannot be used (a split that is also a file, an id not in the index, ...).
    case invalidQueries(String)

    /// The description with a request parameter named as `name` gives it (`\.option` on the
    /// command line, `\.json` over HTTP).
    public func description(naming name: (DemoRequest.Parameter) -> String) -> String {
        guard case let .invalidParameter(parameter, value, reason) = self else { return description }
        return name(parameter) + (value.map { " \($0)" } ?? "") + ": " + reason
    }

    /// The request field at fault (its JSON name; the CLI option is `--` and dashes).
    public var field: String? {
        switch self {
        case .invalidParameter(let parameter, _, _): parameter.json
        case .template(let error): error.field
        case .filterKeepsNothing: "filter_rate"
        default: nil
        }
    }

    public var description: String {
        switch self {
        case let .invalidOption(option, value, expected):
            return "\(option) \(value) is invalid: it must be \(expected)"
        case let .countMismatch(what, expected, found):
            return "\(what): expected \(expected) entries (one per support example), found \(found)"
        case let .dimensionMismatch(what, expected, found):
            return "\(what) has \(found) dimensions but the support vectors have \(expected); embed both with the same model"
        case let .unknownLabel(label, known):
            return "support label \"\(label)\" is not one of the task's labels \(known.map { "\"\($0)\"" }.joined(separator: ", "))"
        case let .notANumber(label):
            return "regression label \"\(label)\" is not a finite number"
        case let .duplicateID(id):
            return "support id \(id) appears twice; ids must be unique"
        case .noCandidates:
            return "there are no candidate demonstrations: the support set is empty (or holds only the query itself)"
        case .invalidParameter:
            return description(naming: \.json)
        case .template(let error):
            return error.description
        case .invalidQueries(let message):
            return message
        case let .filterKeepsNothing(rate, candidates, labels):
            return "filter rate \(rate) keeps no demonstration: \(candidates) candidates // \(labels) labels × \(rate) rounds down to 0; raise the filter rate or add support examples"
        }
    }
}
