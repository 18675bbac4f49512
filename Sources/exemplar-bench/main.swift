// exemplar-bench: timing runner for scripts/bench-search (kept apart from the CLI and the tests).
//
//   exemplar-bench search --vectors BASE.npy --queries Q.npy [--k 10] [--threads 2] [--batched-repeats 3]
//
// Loads float32 [n, d] base vectors and [m, d] queries, builds an ExactIndex (one class), then
// times (1) every query alone with `search` (the single-query path: SIMD scan split over
// threads) and (2) all queries at once with `searchBatch` (sgemm). Prints one JSON object:
// {"single_ms": [...per query...], "batched_s": best, "ids_single": [[...]], "ids_batched": [[...]],
//  "scores_single": [[...]]}.
import ExemplarIndex
import ExemplarIO
import ExemplarJSON
import ExemplarStore
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("exemplar-bench: \(message)\n".utf8))
    exit(2)
}

func loadNPY(_ path: String) -> (rows: Int, dim: Int, values: [Float]) {
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
    guard let (shape, values) = NPY.decode([UInt8](data)), shape.count == 2 else { fail("\(path): not a float32 2-D .npy") }
    return (shape[0], shape[1], values)
}

var args = Array(CommandLine.arguments.dropFirst())
guard args.first == "search" else { fail("usage: exemplar-bench search --vectors BASE.npy --queries Q.npy [--k 10] [--threads 2]") }
args.removeFirst()
var options: [String: String] = [:]
var i = 0
while i + 1 < args.count { options[args[i]] = args[i + 1]; i += 2 }
guard let basePath = options["--vectors"], let queryPath = options["--queries"] else { fail("--vectors and --queries are required") }
let k = Int(options["--k"] ?? "10") ?? 10
let threads = Int(options["--threads"] ?? "2") ?? 2
let repeats = Int(options["--batched-repeats"] ?? "3") ?? 3

let base = loadNPY(basePath), queries = loadNPY(queryPath)
guard base.dim == queries.dim else { fail("dimensions differ: \(base.dim) vs \(queries.dim)") }
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
for _ in 0..<max(1, repeats) {
    let t = DispatchTime.now().uptimeNanoseconds
    let results = index.searchBatch(qs, k: k, perClass: false, threads: threads)
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
    idsBatched = results.map { $0[0].hits.map(\.id) }
}
func ids(_ rows: [[UInt32]]) -> JSONValue { .array(rows.map { .array($0.map { .int(Int($0)) }) }) }
let out = JSONValue.object([
    ("n", .int(base.rows)), ("dim", .int(base.dim)), ("queries", .int(queries.rows)), ("k", .int(k)), ("threads", .int(threads)),
    ("single_ms", .array(singleMs.map { .number($0) })), ("batched_s", .number(best)),
    ("ids_single", ids(idsSingle)), ("ids_batched", ids(idsBatched)),
    ("scores_single", .array(scoresSingle.map { .array($0.map { .number(Double($0)) }) })),
])
FileHandle.standardOutput.write(Data((out.text + "\n").utf8))
