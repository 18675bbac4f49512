@testable import ExemplarCLI
import ExemplarDemos
import Testing

/// `CommandSpec.parse` and `ParsedArguments`, in process (CLITests runs the binary).
@Suite struct ArgumentParsingTests {
    enum Colour: String, CaseIterable { case red, green, inContext = "in-context" }

    static let spec = CommandSpec(
        name: "test", usage: "test [ARG ...] [options]", abstract: "A test command.",
        options: [.model, .threads, .index, .k, .policy, .json, .perClass])

    func parse(_ args: [String], _ spec: CommandSpec = spec) throws(UsageError) -> ParsedArguments {
        try spec.parse(args)
    }

    /// The message of the usage error `args` give, or nil when they parse.
    func failure(_ args: [String], _ spec: CommandSpec = spec) -> String? {
        do {
            _ = try spec.parse(args)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func valuesBothWays() throws {
        let a = try parse(["--model", "m1", "--threads=3", "--k=a=b"])
        #expect(a.string(.model) == "m1")
        #expect(try a.int(.threads, range: 1...1024) == 3)
        #expect(a.string(.k) == "a=b")
        #expect(a.string(.index) == nil && a.all(.index).isEmpty && !a.has(.index))
        #expect(a.has(.model) && !a.flag(.json) && !a.has(.json))
    }

    @Test func unknownOptionSuggestsCloseNames() {
        #expect(failure(["--modle", "x"]) == "unknown option --modle (did you mean --model?)")
        #expect(failure(["--thread=2"]) == "unknown option --thread (did you mean --threads?)")
        #expect(failure(["--pe"]) == "unknown option --pe (did you mean --per-class?)")
        #expect(failure(["--p=1"]) == "unknown option --p (did you mean --policy or --per-class?)")
        #expect(failure(["--zzz"]) == "unknown option --zzz")
        #expect(failure(["-x"]) == "unknown option -x")
    }

    @Test func missingValue() {
        #expect(failure(["--model"]) == "--model needs a value (PATH)")
        #expect(failure(["a", "--threads"]) == "--threads needs a value (N)")
    }

    @Test func flags() throws {
        #expect(failure(["--json=1"]) == "--json takes no value")
        let a = try parse(["--json", "1"])
        #expect(a.flag(.json) && !a.flag(.perClass) && a.positionals == ["1"])
        #expect(try parse(["--json", "--json"]).flag(.json))
    }

    @Test func repeatedOptionsKeepEveryValueAndTheLastWins() throws {
        let a = try parse(["--index", "a", "--index=b,c", "--model", "x", "--model", "y"])
        #expect(a.all(.index) == ["a", "b,c"])
        #expect(a.string(.index) == "b,c")
        #expect(a.string(.model) == "y" && a.all(.model) == ["x", "y"])
    }

    @Test func integersInRange() throws {
        #expect(try parse(["--k", "100000"]).int(.k, range: 1...100_000) == 100_000)
        #expect(try parse([]).int(.k, range: 1...100_000) == nil)
        for bad in ["0", "100001", "x", "1.5", ""] {
            #expect(throws: UsageError(command: "test", message: "--k must be an integer in 1...100000, got \"\(bad)\"")) {
                try parse(["--k", bad]).int(.k, range: 1...100_000)
            }
        }
    }

    @Test func choices() throws {
        #expect(try parse(["--policy", "in-context"]).choice(.policy, as: Colour.self) == .inContext)
        #expect(try parse([]).choice(.policy, as: Colour.self) == nil)
        #expect(throws: UsageError(command: "test", message: "--policy must be one of red, green, in-context, got \"blue\"")) {
            try parse(["--policy=blue"]).choice(.policy, as: Colour.self)
        }
        // The real command's choices.
        #expect(throws: UsageError(command: "demos", message: "--policy must be one of lmbff, random, nearest, mmr, in-context, topk-dpp, balanced, bm25, got \"best\"")) {
            try DemosCommand.spec.parse(["--policy", "best"]).choice(.policy, as: DemoRequest.Policy.self)
        }
    }

    @Test func help() throws {
        #expect(try parse(["--help"]).help)
        let a = try parse(["x", "-h", "--model", "m"])
        #expect(a.help && a.positionals == ["x"] && a.string(.model) == "m")
        #expect(try !parse(["x"]).help)
        let text = Self.spec.helpText
        #expect(text.hasPrefix("A test command.\n\nUSAGE: exemplar test [ARG ...] [options]\n\nOPTIONS:\n"))
        #expect(text.contains("  --model PATH  ") && text.contains("  --json        ") && text.contains("  --help        Show this help.\n"))
    }

    @Test func positionals() throws {
        let a = try parse(["first", "-", "--k", "3", "last"])
        #expect(a.positionals == ["first", "-", "last"] && a.string(.k) == "3")
        // A value that looks like an option is still taken as the value.
        #expect(try parse(["--model", "--json"]).string(.model) == "--json")
    }

    @Test func usageErrorsNameTheProgramAndCommand() {
        let error = Self.spec.usageError("bad")
        #expect(error.exitCode == 2 && error.description == "bad\nRun 'exemplar test --help' for usage.")
        let bench = CommandSpec(program: "exemplar-bench", name: "search", usage: "search", abstract: "", options: [.k, .threads])
        do {
            _ = try bench.parse(["--thread", "1"])
            Issue.record("--thread parsed")
        } catch {
            #expect(error.description == "unknown option --thread (did you mean --threads?)\nRun 'exemplar-bench search --help' for usage.")
        }
        #expect(bench.helpText.contains("USAGE: exemplar-bench search"))
    }

    /// Each command's own help for a shared option; the key is the same.
    @Test func sharedOptionsKeepEachCommandsHelp() throws {
        #expect(InfoCommand.spec.helpText.contains("--json  Print the manifest and sizes as JSON."))
        #expect(KShotCommand.spec.helpText.contains("--output DIR "))
        #expect(EmbedCommand.spec.helpText.contains("--output FILE|- "))
        let a = try KShotCommand.spec.parse(["--output", "out", "--json"])
        #expect(a.string(.output) == "out" && a.flag(.json))
    }

    @Test func everyCommandIsDeclaredConsistently() {
        let names = CLI.commands.map(\.spec.name)
        #expect(Set(names).count == names.count)
        for (spec, _) in CLI.commands {
            #expect(spec.options.allSatisfy { $0.name.hasPrefix("--") && !$0.help.isEmpty }, "\(spec.name)")
            for option in spec.options {
                #expect(spec.helpText.contains("  " + (option.value.map { "\(option.name) \($0)" } ?? option.name) + "  "), "\(spec.name) \(option.name)")
            }
        }
    }

    @Test func readingAnUndeclaredOptionStops() async {
        await #expect(processExitsWith: .failure) {
            let spec = CommandSpec(name: "t", usage: "t", abstract: "", options: [.model])
            _ = try? spec.parse([]).string(.threads)
        }
        await #expect(processExitsWith: .failure) {
            let spec = CommandSpec(name: "t", usage: "t", abstract: "", options: [.json])
            _ = try? spec.parse([]).string(.json)
        }
        await #expect(processExitsWith: .failure) {
            let spec = CommandSpec(name: "t", usage: "t", abstract: "", options: [.model])
            _ = try? spec.parse([]).flag(.model)
        }
        await #expect(processExitsWith: .failure) {
            _ = CommandSpec(name: "t", usage: "t", abstract: "", options: [.model, .model.with(help: "again")])
        }
    }
}
