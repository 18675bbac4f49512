import ExemplarEncoder
import ExemplarIO
import ExemplarJSON
import Foundation

/// `exemplar similarity`: embeds a few sentences and prints their cosine similarity table.
enum SimilarityCommand {
    static let spec = CommandSpec(
        name: "similarity",
        usage: "similarity [--input FILE|-] [--json] [options]",
        abstract: "Embed sentences and print the cosine similarity of every pair.",
        discussion: """
            A quick look at what the encoder considers similar. Each sentence is numbered in the
            table; --json prints {"sentences": [...], "similarity": [[...]]} instead.

            EXAMPLE:
              exemplar similarity --input scripts/sample-sentences.txt
            """,
        options: [.input, .inputFormat, .model, .threads, .json.with(help: "Print JSON instead of a table.")])

    static func run(_ args: ParsedArguments) throws {
        let threads = try Common.threads(args, command: spec.name)
        let records = try Common.readInput(args, command: spec.name)
        let encoder = try Common.loadEncoder(args)
        let texts = records.map(\.text)
        let e = encoder.encode(texts, threads: threads)
        var out = ""
        if args.flag(.json) {
            let rows = (0..<e.count).map { i in
                "[" + (0..<e.count).map { j in String(format: "%.4f", e.cosine(i, j)) }.joined(separator: ",") + "]"
            }
            out = "{\"sentences\":" + JSONValue.strings(texts).text
                + ",\"similarity\":[" + rows.joined(separator: ",") + "]}\n"
        } else {
            for (i, t) in texts.enumerated() {
                out += String(format: "%3d  ", i + 1) + (t.count > 70 ? String(t.prefix(67)) + "..." : t) + "\n"
            }
            out += "\n     " + (1...max(1, e.count)).prefix(e.count).map { String(format: "%6d", $0) }.joined() + "\n"
            for i in 0..<e.count {
                out += String(format: "%3d  ", i + 1)
                    + (0..<e.count).map { j in String(format: "%6.2f", e.cosine(i, j)) }.joined() + "\n"
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}
