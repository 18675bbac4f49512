import ExemplarCore
import ExemplarData
import ExemplarDemos
import ExemplarEncoder
import ExemplarIndex
import ExemplarIO
import Foundation

/// Exit codes: 0 success, 2 bad usage or bad input (including a missing or broken model), 1 other failures.
let commands: [(spec: CommandSpec, run: (ParsedArguments) throws -> Void)] = [
    (EmbedCommand.spec, EmbedCommand.run),
    (TokenizeCommand.spec, TokenizeCommand.run),
    (SimilarityCommand.spec, SimilarityCommand.run),
    (BuildCommand.spec, BuildCommand.run),
    (QueryCommand.spec, QueryCommand.run),
    (InfoCommand.spec, InfoCommand.run),
    (KShotCommand.spec, KShotCommand.run),
    (ExportLMBFFCommand.spec, ExportLMBFFCommand.run),
    (ServeCommand.spec, ServeCommand.run),
    (DemosCommand.spec, DemosCommand.run),
]

let overview = """
    exemplar: sentence embeddings and demonstration retrieval for few-shot learning.

    USAGE: exemplar <command> [options]

    COMMANDS:
    \(commands.map { "  " + $0.spec.name.padding(toLength: 14, withPad: " ", startingAt: 0) + $0.spec.abstract }.joined(separator: "\n"))

    Run 'exemplar <command> --help' for a command's options.
    The model is found by --model PATH, else $EXEMPLAR_MODEL, else \(ModelLocator.defaultFolder().path)
    (fetch it with \(ModelLocator.fetchCommand)).
    """

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("exemplar: error: \(message)\n".utf8))
    exit(code)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, !["--help", "-h", "help"].contains(name) else {
    if arguments.count >= 2, let command = commands.first(where: { $0.spec.name == arguments[1] }) {
        print(command.spec.helpText, terminator: "")
    } else {
        print(overview)
    }
    exit(arguments.isEmpty ? 2 : 0)
}
guard let command = commands.first(where: { $0.spec.name == name }) else {
    fail("unknown command '\(name)'; commands: \(commands.map(\.spec.name).joined(separator: ", ")). Run 'exemplar --help'.", code: 2)
}
do {
    let parsed = try command.spec.parse(Array(arguments.dropFirst()))
    if parsed.help {
        print(command.spec.helpText, terminator: "")
        exit(0)
    }
    try command.run(parsed)
} catch {
    fail("\(error)", code: exitCode(of: error))
}
