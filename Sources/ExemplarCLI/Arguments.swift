import ExemplarCore

/// One command-line option, declared once as a static member and used as the key that reads it:
///
///     extension Option {
///         static let model = Option("--model", value: "PATH", help: "Model folder.")
///     }
///     let spec = CommandSpec(name: "embed", ..., options: [.model, .threads])
///     let path = args.string(.model)         // a misspelt key does not compile
///
/// An option's identity is its name; `value` is the placeholder `--help` shows (nil for a flag).
/// A command whose use of a shared option differs says so with `with(help:)` in its spec.
public struct Option: Sendable, CustomStringConvertible {
    public let name: String
    /// "PATH" for `--model PATH`; nil for a flag, which takes no value.
    public let value: String?
    public let help: String

    public init(_ name: String, value: String? = nil, help: String) {
        precondition(name.hasPrefix("--") && name.count > 2 && !name.contains("="), "option names are --name, got \(name)")
        self.name = name
        self.value = value
        self.help = help
    }

    public var isFlag: Bool { value == nil }

    /// The same option (same key) with the help text one command gives it.
    public func with(help: String) -> Option { Option(name, value: value, help: help) }

    /// The same option with one command's placeholder and help; only for options that take a value.
    public func with(value: String, help: String) -> Option {
        precondition(!isFlag, "\(name) is a flag; it takes no value")
        return Option(name, value: value, help: help)
    }

    public var description: String { name }
}

/// A command's options, declared once: parsing, `--help` and error messages all come from it.
public struct CommandSpec: Sendable {
    /// The program, as usage lines and errors name it: "exemplar", "exemplar-bench".
    public let program: String
    public let name: String
    public let usage: String
    public let abstract: String
    public let discussion: String
    public let options: [Option]

    public init(program: String = "exemplar", name: String, usage: String, abstract: String, discussion: String = "",
                options: [Option]) {
        let names = options.map(\.name)
        precondition(Set(names).count == names.count, "\(name): an option is declared twice in \(names)")
        precondition(!names.contains("--help"), "\(name): --help is every command's; do not declare it")
        self.program = program
        self.name = name
        self.usage = usage
        self.abstract = abstract
        self.discussion = discussion
        self.options = options
    }

    public var helpText: String {
        var s = "\(abstract)\n\nUSAGE: \(program) \(usage)\n\nOPTIONS:\n"
        let rows = (options + [Option("--help", help: "Show this help.")]).map { o in
            (o.value.map { "\(o.name) \($0)" } ?? o.name, o.help)
        }
        let width = rows.map(\.0.count).max() ?? 0
        for (left, help) in rows {
            s += "  " + left + String(repeating: " ", count: width - left.count + 2) + help + "\n"
        }
        if !discussion.isEmpty { s += "\n" + discussion + "\n" }
        return s
    }

    /// A usage error of this command (exit code 2; the message ends with where to find `--help`).
    public func usageError(_ message: String) -> UsageError {
        UsageError(command: name, message: message, program: program)
    }

    /// Parses `args` (without the command name). `--name value` and `--name=value` both work;
    /// `--help` or `-h` anywhere sets `help`; `-` and words not starting with `-` are positionals.
    public func parse(_ args: [String]) throws(UsageError) -> ParsedArguments {
        var parsed = ParsedArguments(spec: self)
        var i = 0
        while i < args.count {
            let arg = args[i]
            i += 1
            if arg == "--help" || arg == "-h" {
                parsed.help = true
                continue
            }
            guard arg.hasPrefix("-") && arg != "-" else {
                parsed.positionals.append(arg)
                continue
            }
            let parts = arg.split(separator: "=", maxSplits: 1).map(String.init)
            guard let option = options.first(where: { $0.name == parts[0] }) else {
                let close = options.map(\.name).filter { $0.hasPrefix(String(parts[0].prefix(4))) }
                throw usageError("unknown option \(parts[0])"
                    + (close.isEmpty ? "" : " (did you mean \(close.joined(separator: " or "))?)"))
            }
            if option.isFlag {
                guard parts.count == 1 else {
                    throw usageError("\(option.name) takes no value")
                }
                parsed.flags.insert(option.name)
            } else if parts.count == 2 {
                parsed.values[option.name, default: []].append(parts[1])
            } else {
                guard i < args.count else {
                    throw usageError("\(option.name) needs a value (\(option.value!))")
                }
                parsed.values[option.name, default: []].append(args[i])
                i += 1
            }
        }
        return parsed
    }
}

/// The result of parsing one command line, read by `Option` key.
///
/// Reading an option the command's spec does not declare, or reading a flag as a value (or a
/// value as a flag), is a programming error: it stops the program, so declarations and reads
/// cannot drift apart unnoticed.
public struct ParsedArguments: Sendable {
    public let spec: CommandSpec
    /// Every value of each option, in order; an option given twice keeps both, `string` reads the last.
    fileprivate var values: [String: [String]] = [:]
    fileprivate var flags: Set<String> = []
    public var positionals: [String] = []
    public var help = false

    init(spec: CommandSpec) { self.spec = spec }

    /// The command these arguments are for.
    public var command: String { spec.name }

    /// The last value given for `option`, or nil.
    public func string(_ option: Option) -> String? { all(option).last }

    /// All values given for a repeatable option, in order.
    public func all(_ option: Option) -> [String] {
        declared(option, flag: false)
        return values[option.name] ?? []
    }

    /// Whether a flag was given.
    public func flag(_ option: Option) -> Bool {
        declared(option, flag: true)
        return flags.contains(option.name)
    }

    /// Whether `option` (a flag or one with a value) was given at all.
    public func has(_ option: Option) -> Bool {
        option.isFlag ? flag(option) : !all(option).isEmpty
    }

    /// The value of `option` as an integer in `range`, nil when absent; any other value is a usage error.
    public func int(_ option: Option, range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let raw = string(option) else { return nil }
        guard let n = Int(raw), range.contains(n) else {
            throw spec.usageError("\(option.name) must be an integer in \(range.lowerBound)...\(range.upperBound), got \"\(raw)\"")
        }
        return n
    }

    /// The value of `option` as one of `T`'s cases, nil when absent; any other value is a usage error.
    public func choice<T: RawRepresentable & CaseIterable>(_ option: Option, as: T.Type) throws(UsageError) -> T? where T.RawValue == String {
        guard let raw = string(option) else { return nil }
        guard let value = T(rawValue: raw) else {
            throw spec.usageError("\(option.name) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(raw)\"")
        }
        return value
    }

    private func declared(_ option: Option, flag: Bool) {
        guard let declared = spec.options.first(where: { $0.name == option.name }) else {
            preconditionFailure("'\(spec.program) \(spec.name)' reads \(option.name), which its CommandSpec does not declare")
        }
        precondition(declared.isFlag == flag,
                     "'\(spec.program) \(spec.name)' reads \(option.name) as a \(flag ? "flag" : "value"), but declares it as a \(declared.isFlag ? "flag" : "value")")
    }
}

/// A command line that cannot be run as given; exit code 2.
public struct UsageError: ExemplarError, Equatable {
    public var exitCode: Int32 { 2 }
    public let command: String
    public let message: String
    public let program: String

    public init(command: String, message: String, program: String = "exemplar") {
        self.command = command
        self.message = message
        self.program = program
    }

    public var description: String { "\(message)\nRun '\(program) \(command) --help' for usage." }
}
