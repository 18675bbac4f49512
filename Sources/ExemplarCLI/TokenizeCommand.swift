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
        try OutputFile.write(to: args.string(.output) ?? "-") { out in
            for record in records {
                try out.writeLine(.object([("ids", .array(encoder.tokenize(record.text).map { .int(Int($0)) }))]))
            }
        }
    }
}
