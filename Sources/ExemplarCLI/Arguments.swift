import ExemplarCore

/// A command's options, declared once: parsing, `--help` and error messages all come from it.
struct CommandSpec {
    struct Option {
        let name: String          // "--model"
        let value: String?        // "PATH"; nil for a flag
        let help: String
    }

    let name: String
    let usage: String
    let abstract: String
    let discussion: String
    let options: [Option]

    var helpText: String {
        var s = "\(abstract)\n\nUSAGE: exemplar \(usage)\n\nOPTIONS:\n"
        let rows = (options + [Option(name: "--help", value: nil, help: "Show this help.")]).map { o in
            (o.value.map { "\(o.name) \($0)" } ?? o.name, o.help)
        }
        let width = rows.map(\.0.count).max() ?? 0
        for (left, help) in rows {
            s += "  " + left + String(repeating: " ", count: width - left.count + 2) + help + "\n"
        }
        if !discussion.isEmpty { s += "\n" + discussion + "\n" }
        return s
    }

    /// Parses `args` (without the command name). `--name value` and `--name=value` both work.
    func parse(_ args: [String]) throws(UsageError) -> ParsedArguments {
        var parsed = ParsedArguments()
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
                throw UsageError(command: name, message: "unknown option \(parts[0])"
                    + (close.isEmpty ? "" : " (did you mean \(close.joined(separator: " or "))?)"))
            }
            if option.value == nil {
                guard parts.count == 1 else {
                    throw UsageError(command: name, message: "\(option.name) takes no value")
                }
                parsed.flags.insert(option.name)
            } else if parts.count == 2 {
                parsed.values[option.name] = parts[1]
                parsed.repeated[option.name, default: []].append(parts[1])
            } else {
                guard i < args.count else {
                    throw UsageError(command: name, message: "\(option.name) needs a value (\(option.value!))")
                }
                parsed.values[option.name] = args[i]
                parsed.repeated[option.name, default: []].append(args[i])
                i += 1
            }
        }
        return parsed
    }
}

/// The result of parsing one command line.
struct ParsedArguments {
    var values: [String: String] = [:]
    /// Every value of each option, in order (an option given twice keeps both here; `values` keeps the last).
    var repeated: [String: [String]] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []
    var help = false

    func string(_ name: String) -> String? { values[name] }

    /// All values given for a repeatable option, in order.
    func all(_ name: String) -> [String] { repeated[name] ?? [] }

    func int(_ name: String, command: String, range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let raw = values[name] else { return nil }
        guard let n = Int(raw), range.contains(n) else {
            throw UsageError(command: command, message: "\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got \"\(raw)\"")
        }
        return n
    }

    func choice<T: RawRepresentable & CaseIterable>(_ name: String, command: String, as: T.Type) throws(UsageError) -> T? where T.RawValue == String {
        guard let raw = values[name] else { return nil }
        guard let value = T(rawValue: raw) else {
            throw UsageError(command: command, message: "\(name) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(raw)\"")
        }
        return value
    }
}

/// A command line that cannot be run as given; exit code 2.
struct UsageError: ExemplarError {
    var exitCode: Int32 { 2 }
    let command: String
    let message: String
    var description: String { "\(message)\nRun 'exemplar \(command) --help' for usage." }
}
