import ExemplarEncoder

// Options that several commands take, declared once. A command's own options are declared in
// its file, in the same way. Where a command uses a shared option in its own way, its spec
// lists it as `.json.with(help: "...")`: the same key, that command's help text.
extension Option {
    static let model = Option(
        "--model", value: "PATH",
        help: "Model folder (sentence-transformers layout). Default: $EXEMPLAR_MODEL, else \(ModelLocator.defaultFolder().path).")
    static let input = Option("--input", value: "FILE|-", help: "Sentences to read; - is standard input (default).")
    static let inputFormat = Option(
        "--input-format", value: "jsonl|text",
        help: "jsonl: one {\"text\": ...} object per line; text: one sentence per line. Default: jsonl for *.jsonl, else text.")
    static let threads = Option(
        "--threads", value: "N", help: "Worker and BLAS threads (default: all \(SentenceEncoder.defaultThreads) cores).")
    static let output = Option("--output", value: "FILE|-", help: "Where to write; - is standard output (default).")
    static let precision = Option(
        "--precision", value: "fp32|int8|int16|bf16",
        help: "Arithmetic of the encoder's dense layers: fp32 (default; the reference), int8 (dynamic quantisation, fastest, "
            + "the most drift), int16 (13-bit dynamic quantisation, near fp32's neighbours) or bf16 (bfloat16 weights and "
            + "activations, float32 sums); the integer ones need AVX-512 VNNI and bf16 AVX-512 BF16, else fp32 with a note. "
            + "Commands on an index default to the precision it was built with.")
    static let batchSize = Option("--batch-size", value: "N", help: "Sentences per forward pass (default 32).")
    static let json = Option("--json", help: "Print JSON instead of text.")
    static let data = Option("--data", value: "DIR", help: "An LM-BFF data folder.")
    static let task = Option("--task", value: "TASK", help: "An LM-BFF task name.")
    static let queries = Option("--queries", value: "FILE|-", help: "Read query texts from FILE; - is standard input.")
    static let k = Option("--k", value: "N", help: "How many to take.")
    static let split = Option("--split", value: "NAME", help: "A split name (train, dev, test, ...).")
}
