import ExemplarEncoder
import ExemplarIO
import ExemplarJSON
import Foundation

/// `exemplar tokenize`: the token ids the encoder sees for each sentence.
enum TokenizeCommand {
    static let spec = CommandSpec(
        name: "tokenize",
        usage: "tokenize [--input FILE|-] [--output FILE|-] [options]",
        abstract: "Print the token ids the encoder sees for each sentence.",
        discussion: """
            Output: one {"ids": [...]} object per input sentence, in order, with [CLS] and [SEP]
            included, after truncation to the model's max_seq_length.

            EXAMPLE:
              echo "Hello, world!" | exemplar tokenize
            """,
        options: [.input, .inputFormat, .output, .model])

    static func run(_ args: ParsedArguments) throws {
        let records = try Common.readInput(args, command: spec.name)
        let encoder = try Common.loadEncoder(args)
        var out = try OutputFile(path: args.string(.output) ?? "-")
        do {
            var line: [UInt8] = []
            for record in records {
                line.removeAll(keepingCapacity: true)
                JSONValue.object([("ids", .array(encoder.tokenize(record.text).map { .int(Int($0)) }))]).write(to: &line)
                line.append(0x0A)
                try out.write(line)
            }
            try out.commit()
        } catch {
            out.discard()
            throw error
        }
    }
}
