// exemplar-bench: timing runner for scripts/bench-search (kept apart from the CLI). Its options
// are parsed by ExemplarCLI's CommandSpec: an unknown option or a bad number is an error (exit 2).
//
//   exemplar-bench search --vectors BASE.npy --queries Q.npy [--k 10] [--threads 2] [--batched-repeats 3]
//
// Loads float32 [n, d] base vectors and [m, d] queries, builds an ExactIndex (one class), then
// times (1) every query alone with `search` (the single-query path: SIMD scan split over
// threads) and (2) all queries at once with `searchBatch` (sgemm). Prints one JSON object:
// {"single_ms": [...per query...], "batched_s": best, "ids_single": [[...]], "ids_batched": [[...]],
//  "scores_single": [[...]]}.
import ExemplarCLI
import ExemplarIndex
import ExemplarJSON
import ExemplarIO
import ExemplarStore
import Foundation

extension Option {
    static let vectors = Option("--vectors", value: "BASE.npy", help: "Base vectors, float32 [n, d]. Required.")
    static let queries = Option("--queries", value: "Q.npy", help: "Query vectors, float32 [m, d]. Required.")
    static let k = Option("--k", value: "N", help: "Hits per query (default 10).")
    static let threads = Option("--threads", value: "N", help: "Search threads (default 2).")
    static let batchedRepeats = Option("--batched-repeats", value: "N", help: "Timed batched runs; the best is reported (default 3).")
}

let spec = CommandSpec(
    program: "exemplar-bench", name: "search",
    usage: "search --vectors BASE.npy --queries Q.npy [--k 10] [--threads 2] [--batched-repeats 3]",
    abstract: "Time exact top-k search (one query at a time, then batched) and print one JSON object.",
    options: [.vectors, .queries, .k, .threads, .batchedRepeats])

/// Bad usage or input: `exemplar-bench: error: ...` on stderr, exit code 2.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("exemplar-bench: error: \(message)\n".utf8))
    exit(2)
}

func loadNPY(_ path: String) -> (rows: Int, dim: Int, values: [Float]) {
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
    guard let (shape, values) = NPY.decode([UInt8](data)), shape.count == 2 else { fail("\(path): not a float32 2-D .npy") }
    return (shape[0], shape[1], values)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.first == spec.name else {
    if let first = arguments.first, ["--help", "-h", "help"].contains(first) {
        print(spec.helpText, terminator: "")
        exit(0)
    }
    fail((arguments.first.map { "unknown command '\($0)'" } ?? "no command") + "; usage: exemplar-bench \(spec.usage)")
}
let basePath: String, queryPath: String, k: Int, threads: Int, repeats: Int
do {
    let args = try spec.parse(Array(arguments.dropFirst()))
    if args.help {
        print(spec.helpText, terminator: "")
        exit(0)
    }
    if let extra = args.positionals.first { throw spec.usageError("unexpected argument \(extra)") }
    guard let vectors = args.string(.vectors), let queries = args.string(.queries) else {
        throw spec.usageError("--vectors and --queries are required")
    }
    basePath = vectors
    queryPath = queries
    k = try args.int(.k, range: 1...1_000_000) ?? 10
    threads = try args.int(.threads, range: 1...1024) ?? 2
    repeats = try args.int(.batchedRepeats, range: 1...1000) ?? 3
} catch {
    fail("\(error)")
}

let base = loadNPY(basePath), queries = loadNPY(queryPath)
guard base.dim == queries.dim else { fail("dimensions differ: \(base.dim) vs \(queries.dim)") }
guard base.rows > 0 && queries.rows > 0 else { fail("\(base.rows == 0 ? basePath : queryPath) has no rows") }
let records = (0..<base.rows).map { IndexRecord(id: UInt32($0), split: "train", label: "x", textA: "", line: $0 + 1) }
let index = ExactIndex(records: records, vectors: base.values, dimension: base.dim)
let qs = (0..<queries.rows).map { Array(queries.values[($0 * queries.dim)..<(($0 + 1) * queries.dim)]) }

// Warm-up: touch every vector once on both paths.
_ = index.search(qs[0], k: k, threads: threads)
_ = index.searchBatch(Array(qs.prefix(8)), k: k, perClass: false, threads: threads)

var singleMs: [Double] = [], idsSingle: [[UInt32]] = [], scoresSingle: [[Float]] = []
for q in qs {
    let t = DispatchTime.now().uptimeNanoseconds
    let hits = index.search(q, k: k, threads: threads)
    singleMs.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
    idsSingle.append(hits.map(\.id))
    scoresSingle.append(hits.map(\.score))
}
var best = Double.infinity
var idsBatched: [[UInt32]] = []
for _ in 0..<repeats {
    let t = DispatchTime.now().uptimeNanoseconds
    let results = index.searchBatch(qs, k: k, perClass: false, threads: threads)
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
    idsBatched = results.map { $0[0].hits.map(\.id) }
}
let ids = { (lists: [[UInt32]]) -> JSONValue in .array(lists.map { .array($0.map { .int(Int($0)) }) }) }
let out = JSONValue.object([
    ("n", .int(base.rows)), ("dim", .int(base.dim)), ("queries", .int(queries.rows)), ("k", .int(k)), ("threads", .int(threads)),
    ("single_ms", .array(singleMs.map { .number($0) })), ("batched_s", .number(best)),
    ("ids_single", ids(idsSingle)), ("ids_batched", ids(idsBatched)),
    ("scores_single", .array(scoresSingle.map { .floats($0) })),
])
FileHandle.standardOutput.write(Data((out.text + "\n").utf8))
