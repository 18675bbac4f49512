import ExemplarIO
import ExemplarTestSupport
import Foundation
import Testing

/// `exemplar-bench search` as scripts/bench_search.py calls it, and what it refuses.
extension CLITests {
    func runBench(_ args: [String]) throws -> CLIRunner.Result {
        try CLIRunner(program: "exemplar-bench").run(args)
    }

    @Test func benchSearchRunsAsTheScriptCallsIt() throws {
        let dir = try TemporaryFolder.create("exemplar-bench")
        defer { TemporaryFolder.remove(dir) }
        // Base rows e0, e1, e2 (and their mix); queries close to e2 and to e0.
        let base: [Float] = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0.6, 0.8, 0]
        let queries: [Float] = [0.1, 0, 0.99, 0.99, 0.1, 0]
        let basePath = dir.appendingPathComponent("base.npy"), queryPath = dir.appendingPathComponent("queries.npy")
        try Data(NPY.encode(base, rows: 4, columns: 3)).write(to: basePath)
        try Data(NPY.encode(queries, rows: 2, columns: 3)).write(to: queryPath)
        let r = try runBench(["search", "--vectors", basePath.path, "--queries", queryPath.path, "--k", "2", "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any]
        #expect(json?["ids_single"] as? [[Int]] == [[2, 0], [0, 3]])
        #expect(json?["ids_batched"] as? [[Int]] == [[2, 0], [0, 3]])
        #expect(json?["k"] as? Int == 2 && json?["n"] as? Int == 4 && (json?["single_ms"] as? [Double])?.count == 2)

        for (args, message) in [
            (["--kk", "2"], "unknown option --kk"),
            (["--k", "ten"], "--k must be an integer in 1...1000000, got \"ten\""),
            (["--threads", "0"], "--threads must be an integer in 1...1024, got \"0\""),
            (["--batched-repeats=x"], "--batched-repeats must be an integer in 1...1000"),
            (["extra"], "unexpected argument extra"),
            (["--k"], "--k needs a value (N)"),
        ] {
            let bad = try runBench(["search", "--vectors", basePath.path, "--queries", queryPath.path] + args)
            #expect(bad.status == 2 && bad.stderr.hasPrefix("exemplar-bench: error: \(message)"), "\(args): \(bad.stderr)")
            #expect(bad.stderr.contains("Run 'exemplar-bench search --help' for usage."))
            #expect(bad.stdout.isEmpty)
        }
        let missing = try runBench(["search", "--vectors", basePath.path])
        #expect(missing.status == 2 && missing.stderr.contains("--vectors and --queries are required"))
        #expect(try runBench(["frobnicate"]).status == 2)
        let help = try runBench(["search", "--help"])
        #expect(help.status == 0 && help.out.contains("USAGE: exemplar-bench search") && help.out.contains("--batched-repeats N"))
    }
}
