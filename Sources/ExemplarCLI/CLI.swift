import ExemplarCore
import ExemplarEncoder
import Foundation

/// The `exemplar` command line: finds the command, parses its options, runs it.
public enum CLI {
    /// Every command, in `--help` order.
    static var commands: [(spec: CommandSpec, run: (ParsedArguments) throws -> Void)] {
        [
            (EmbedCommand.spec, EmbedCommand.run),
            (TokenizeCommand.spec, TokenizeCommand.run),
            (SimilarityCommand.spec, SimilarityCommand.run),
            (BuildCommand.spec, BuildCommand.run),
            (MergeCommand.spec, MergeCommand.run),
            (QueryCommand.spec, QueryCommand.run),
            (InfoCommand.spec, InfoCommand.run),
            (VerifyCommand.spec, VerifyCommand.run),
            (CompactCommand.spec, CompactCommand.run),
            (KShotCommand.spec, KShotCommand.run),
            (AnnotateCommand.spec, AnnotateCommand.run),
            (ExportLMBFFCommand.spec, ExportLMBFFCommand.run),
            (ServeCommand.spec, ServeCommand.run),
            (DemosCommand.spec, DemosCommand.run),
            (EvaluateDemosCommand.spec, EvaluateDemosCommand.run),
        ]
    }

    static var overview: String {
        let width = (commands.map(\.spec.name.count).max() ?? 12) + 2
        return """
        exemplar: sentence embeddings and demonstration retrieval for few-shot learning.

        USAGE: exemplar <command> [options]

        COMMANDS:
        \(commands.map { "  " + $0.spec.name.padding(toLength: width, withPad: " ", startingAt: 0) + $0.spec.abstract }.joined(separator: "\n"))

        Run 'exemplar <command> --help' for a command's options.
        The model is found by --model PATH, else $EXEMPLAR_MODEL, else \(ModelLocator.defaultFolder().path)
        (fetch it with \(ModelLocator.fetchCommand)).
        """
    }

    /// Runs the command line `arguments` (`CommandLine.arguments`: the program name first) and
    /// returns the exit code: 0 success, 2 bad usage or bad input (including a missing or broken
    /// model), 1 other failures. Errors go to standard error as `exemplar: error: ...`.
    public static func run(_ arguments: [String]) -> Int32 {
        let arguments = Array(arguments.dropFirst())
        let commands = commands
        guard let name = arguments.first, !["--help", "-h", "help"].contains(name) else {
            if arguments.count >= 2, let command = commands.first(where: { $0.spec.name == arguments[1] }) {
                print(command.spec.helpText, terminator: "")
            } else {
                print(overview)
            }
            return arguments.isEmpty ? 2 : 0
        }
        guard let command = commands.first(where: { $0.spec.name == name }) else {
            report("unknown command '\(name)'; commands: \(commands.map(\.spec.name).joined(separator: ", ")). Run 'exemplar --help'.")
            return 2
        }
        do {
            let parsed = try command.spec.parse(Array(arguments.dropFirst()))
            if parsed.help {
                print(command.spec.helpText, terminator: "")
                return 0
            }
            try command.run(parsed)
            return 0
        } catch {
            report("\(error)")
            return exitCode(of: error)
        }
    }

    /// Writes `exemplar: error: MESSAGE` to standard error.
    static func report(_ message: String) {
        FileHandle.standardError.write(Data("exemplar: error: \(message)\n".utf8))
    }
}
