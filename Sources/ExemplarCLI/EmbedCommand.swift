import ExemplarEncoder
import ExemplarIO
import ExemplarJSON
import Foundation

extension Option {
    static let outputFormat = Option("--output-format", value: "jsonl|npy", help: "Default: npy for *.npy, else jsonl.")
}

/// `exemplar embed`: sentences in, embeddings out (JSON Lines or .npy).
enum EmbedCommand {
    enum OutputFormat: String, CaseIterable { case jsonl, npy }

    static let spec = CommandSpec(
        name: "embed",
        usage: "embed [--input FILE|-] [--output FILE|-] [options]",
        abstract: "Embed sentences with the sentence encoder.",
        discussion: """
            Each input sentence gives one output row, in input order. JSON Lines output has one
            {"embedding": [...]} object per line; .npy output is float32, C order, shape [n, dim],
            readable with numpy.load. The output file appears only when complete.

            EXAMPLES:
              exemplar embed --input sentences.txt --output vectors.npy
              echo '{"text": "a gripping thriller"}' | exemplar embed --input-format jsonl
              exemplar embed --input questions.txt --prompt-name query --dimensions 256 --output q.npy

            PROMPTS AND DIMENSIONS: --prompt-name takes a prompt of the model's
            config_sentence_transformers.json (its default_prompt_name applies without one);
            --dimensions N keeps the first N components of a Matryoshka model's vectors.
            """,
        options: [.input, .inputFormat, .output, .outputFormat, .model, .promptName, .prompt, .dimensions, .precision, .batchSize, .threads])

    static func run(_ args: ParsedArguments) throws {
        let outputPath = args.string(.output) ?? "-"
        let format = try args.choice(.outputFormat, as: OutputFormat.self)
            ?? (outputPath.hasSuffix(".npy") ? .npy : .jsonl)
        if format == .npy && outputPath == "-" && isatty(STDOUT_FILENO) == 1 {
            throw UsageError(command: spec.name, message: "refusing to write binary .npy to a terminal; give --output FILE.npy")
        }
        let batchSize = try args.int(.batchSize, range: 1...65536) ?? 32
        let threads = try Common.threads(args, command: spec.name)
        let records = try Common.readInput(args, command: spec.name)
        let options = try EmbeddingOptionsCLI.read(args)
        let encoder = try EmbeddingOptionsCLI.configure(try Common.loadEncoder(args), options, command: spec.name)

        let progress = ProgressLine(label: "embedding", total: records.count)
        let embeddings = encoder.encode(records.map(\.text), batchSize: batchSize, threads: threads,
                                        progress: { progress.update($0) })
        progress.finish()

        try OutputFile.write(to: outputPath) { out in
            switch format {
            case .npy:
                try out.write(NPY.encode(embeddings.values, rows: embeddings.count, columns: embeddings.dimension))
            case .jsonl:
                for i in 0..<embeddings.count {
                    try out.writeLine(.object([("embedding", .floats(Array(embeddings[i])))]))
                }
            }
        }
    }
}
