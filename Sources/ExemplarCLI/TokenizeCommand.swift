import ExemplarEncoder
import ExemplarIO
import ExemplarJSON
import ExemplarLexical
import Foundation

extension Option {
    static let words = Option("--words", help: "Print the words BM25 indexes (nltk's word_tokenize: Punkt sentences, Treebank words) instead of model token ids; needs no model.")
}

/// `exemplar tokenize`: the token ids the encoder sees for each sentence.
enum TokenizeCommand {
    static let spec = CommandSpec(
        name: "tokenize",
        usage: "tokenize [--input FILE|-] [--output FILE|-] [--words] [options]",
        abstract: "Print the token ids the encoder sees for each sentence.",
        discussion: """
            Output: one {"ids": [...]} object per input sentence, in order, with [CLS] and [SEP]
            included, after truncation to the model's max_seq_length. With --words: one
            {"tokens": [...]} object per sentence, the words BM25 search and the bm25 policy index
            (as OpenICL's BM25Retriever: nltk's word_tokenize, case kept).

            EXAMPLE:
              echo "Hello, world!" | exemplar tokenize
              echo "Mr. Smith can't stay. He left." | exemplar tokenize --words
            """,
        options: [.input, .inputFormat, .output, .model, .words])

    static func run(_ args: ParsedArguments) throws {
        let records = try Common.readInput(args, command: spec.name)
        if args.flag(.words) {
            let tokenizer = WordTokenizer()
            try OutputFile.write(to: args.string(.output) ?? "-") { out in
                for record in records {
                    try out.writeLine(.object([("tokens", .strings(tokenizer.tokenize(record.text)))]))
                }
            }
            return
        }
        let encoder = try Common.loadEncoder(args)
        try OutputFile.write(to: args.string(.output) ?? "-") { out in
            for record in records {
                try out.writeLine(.object([("ids", .array(encoder.tokenize(record.text).map { .int(Int($0)) }))]))
            }
        }
    }
}
