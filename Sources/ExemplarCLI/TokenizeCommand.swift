import ExemplarEncoder
import ExemplarIO
import ExemplarJSON
import ExemplarLexical
import Foundation

extension Option {
    static let showTokens = Option("--tokens", help: "Also print each id's token string and the ids decoded back to text (the tokenizer's decoder, special tokens left out).")
    static let tokenizerJSON = Option("--tokenizer-json", value: "FILE", help: "Tokenize with this tokenizer.json alone (a target LM's, say) instead of the model's; needs no model.")
    static let maxLength = Option("--max-length", value: "N", help: "With --tokenizer-json: truncate to N ids, special tokens included (default: the file's truncation, else none).")
    static let words = Option("--words", help: "Print the words BM25 indexes (nltk's word_tokenize: Punkt sentences, Treebank words) instead of model token ids; needs no model.")
}

/// `exemplar tokenize`: the token ids the encoder sees for each sentence.
enum TokenizeCommand {
    static let spec = CommandSpec(
        name: "tokenize",
        usage: "tokenize [--input FILE|-] [--output FILE|-] [--tokens|--words] [options]",
        abstract: "Print the token ids the encoder sees for each sentence.",
        discussion: """
            Output: one {"ids": [...]} object per input sentence, in order, with [CLS] and [SEP]
            included, after truncation to the model's max_seq_length; any tokenizer.json the model
            folder has (WordPiece, BPE, Unigram). With --tokens: also "tokens" (each id's vocabulary
            string) and "decoded" (the ids back to text). With --words: one
            {"tokens": [...]} object per sentence, the words BM25 search and the bm25 policy index
            (as OpenICL's BM25Retriever: nltk's word_tokenize, case kept).

            EXAMPLE:
              echo "Hello, world!" | exemplar tokenize
              echo "Hello, world!" | exemplar tokenize --tokens --model path/to/xlm-r-folder
              echo "Mr. Smith can't stay. He left." | exemplar tokenize --words
            """,
        options: [.input, .inputFormat, .output, .model, .tokenizerJSON, .maxLength, .showTokens, .words])

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
        let tokenizer: Tokenizer
        if let file = args.string(.tokenizerJSON) {
            tokenizer = try Tokenizer.load(tokenizerJSON: URL(fileURLWithPath: file), maxLength: try args.int(.maxLength, range: 2...1_000_000))
        } else {
            tokenizer = try Common.loadEncoder(args).tokenizer
        }
        let showTokens = args.flag(.showTokens)
        try OutputFile.write(to: args.string(.output) ?? "-") { out in
            for record in records {
                let ids = tokenizer.encode(record.text)
                var fields: [(String, JSONValue)] = [("ids", .array(ids.map { .int(Int($0)) }))]
                if showTokens {
                    fields.append(("tokens", .strings(ids.map { tokenizer.token(for: $0) ?? "" })))
                    fields.append(("decoded", .string(tokenizer.decode(ids))))
                }
                try out.writeLine(.object(fields))
            }
        }
    }
}
