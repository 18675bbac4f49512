import ExemplarIndex
import ExemplarTestSupport
import Foundation
import Testing

/// `exemplar build --ann` and approximate search through real faiss on a real index.
@Suite struct ApproximateSearchTests {
    let cli = CLIRunner()
    var tiny: String { Fixtures.url("tiny-bert-max").path }

    func writeDataset(_ url: URL, n: Int) throws {
        let words = ["good", "bad", "film", "plot", "actors", "music", "slow", "funny", "dull", "great"]
        var out = ""
        for i in 0..<n {
            let text = "sentence \(i) " + (0...(i % 13)).map { words[($0 * 7 + i) % words.count] }.joined(separator: " ")
            out += #"{"text": "\#(text)", "label": "\#(["a", "b"][i % 2])"}"# + "\n"
        }
        try Data(out.utf8).write(to: url)
    }

    /// `exemplar serve` (with `serve`'s options) of index `pool`, built in `dir` from 300 rows
    /// with `ann` (partitions from 50 rows; none when empty).
    func servePool(in dir: URL, ann: [String], serve: [String] = []) throws -> ServeProcess {
        let data = dir.appendingPathComponent("data.jsonl")
        try writeDataset(data, n: 300)
        let index = dir.appendingPathComponent("pool")
        let partitions = ann.isEmpty ? [] : ["--ann-min-rows", "50"] + ann
        #expect(try cli.run(["build", "--data", data.path, "--out", index.path, "--model", tiny] + partitions).status == 0)
        let process = Process()
        process.executableURL = try CLIRunner.binary
        process.arguments = ["serve", "--port", "0", "--model", tiny, "--index", index.path] + serve
        return try ServeProcess(process)
    }

    func hits(_ output: String) throws -> [[Int]] {
        try output.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return (object?["results"] as? [[String: Any]] ?? []).flatMap { ($0["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int } }
        }
    }

    func scores(_ output: String) throws -> [Double] {
        try output.split(separator: "\n").flatMap { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return (object?["results"] as? [[String: Any]] ?? []).flatMap { ($0["hits"] as? [[String: Any]] ?? []).compactMap { $0["score"] as? Double } }
        }
    }

    @Test(arguments: ["hnsw", "ivf-flat", "ivf-sq8"])
    func annMatchesExactOnASmallIndexAndIsKeptAndRemoved(kind: String) throws {
        let dir = try TemporaryFolder.create("ann")
        defer { TemporaryFolder.remove(dir) }
        let data = dir.appendingPathComponent("data.jsonl")
        try writeDataset(data, n: 400)
        let index = dir.appendingPathComponent("idx")
        let built = try cli.run(["build", "--data", data.path, "--out", index.path, "--model", tiny,
                                 "--ann", kind, "--ann-min-rows", "100", "--ann-lists", "4"])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(built.out.contains("approximate search (\(kind)): train/a 200 rows"), "\(built.out)")
        #expect(FileManager.default.fileExists(atPath: index.appendingPathComponent("ann/ann.json").path))

        let info = try cli.run(["info", index.path, "--json"])
        let ann = (try JSONSerialization.jsonObject(with: info.stdout) as? [String: Any])?["ann"] as? [String: Any]
        #expect(ann?["kind"] as? String == kind && ann?["current"] as? Bool == true)
        let parts = ann?["partitions"] as? [[String: Any]] ?? []
        #expect(parts.count == 2 && parts.allSatisfy { ($0["recall_at_10"] as? Double ?? 0) >= 0.9 })

        // With every list probed and a wide HNSW beam, approximate equals exact.
        let queries = ["sentence 7 funny", "great music plot", "dull slow film actors"]
        let approximate = try cli.run(["query", index.path] + queries + ["--per-class", "--k", "5", "--json", "--model", tiny,
                                                                          "--nprobe", "4", "--ef-search", "400"])
        let exact = try cli.run(["query", index.path] + queries + ["--per-class", "--k", "5", "--json", "--model", tiny, "--exact"])
        #expect(approximate.status == 0 && exact.status == 0, "\(approximate.stderr)\(exact.stderr)")
        #expect(try hits(approximate.out) == hits(exact.out))
        #expect(try hits(exact.out).allSatisfy { $0.count == 10 })
        // Scores are exact too (candidates are rescored from the stored vectors; a batch of
        // exact queries scores with sgemm, so the last bits may differ).
        #expect(zip(try scores(approximate.out), try scores(exact.out)).allSatisfy { abs($0 - $1) < 1e-5 })
        let single = try cli.run(["query", index.path, queries[0], "--per-class", "--k", "5", "--json", "--model", tiny, "--ef-search", "400", "--nprobe", "4"])
        let singleExact = try cli.run(["query", index.path, queries[0], "--per-class", "--k", "5", "--json", "--model", tiny, "--exact"])
        #expect(single.out == singleExact.out)

        // A later build keeps the ANN; --ann none removes it.
        let again = try cli.run(["build", index.path, "--model", tiny])
        #expect(again.status == 0 && again.out.contains("approximate search (\(kind))"), "\(again.out)\(again.stderr)")
        let removed = try cli.run(["build", index.path, "--model", tiny, "--ann", "none"])
        #expect(removed.status == 0)
        #expect(!FileManager.default.fileExists(atPath: index.appendingPathComponent("ann").path))
    }

    /// `serve` searches the partitions too; `exact`, `nprobe`, `ef_search` on the route; an
    /// online addition is found beside them.
    @Test func servedIndexSearchesThroughTheAnnAndItsAdditions() async throws {
        let dir = try TemporaryFolder.create("ann")
        defer { TemporaryFolder.remove(dir) }
        let server = try servePool(in: dir, ann: ["--ann", "hnsw"])
        defer { _ = server.stop() }
        let body = #"{"text": "great music plot", "k": 4, "per_class": true, "ef_search": 300}"#
        let approximate = try await server.request("POST", "/v1/indexes/pool/search", body)
        let exact = try await server.request("POST", "/v1/indexes/pool/search", #"{"text": "great music plot", "k": 4, "per_class": true, "exact": true}"#)
        #expect(approximate.status == 200 && approximate.body == exact.body, "\(approximate.body)")
        #expect(try await server.request("POST", "/v1/indexes/pool/search", #"{"text": "x", "nprobe": 0}"#).status == 400)
        let added = try await server.request("POST", "/v1/indexes/pool/examples", #"{"examples": [{"text": "great music plot", "label": "a"}]}"#)
        #expect(added.status == 201, "\(added.body)")
        let after = try await server.request("POST", "/v1/indexes/pool/search", #"{"text": "great music plot", "k": 1, "label": "a"}"#)
        #expect(after.body.contains("\"id\":300,"), "\(after.body)")
    }

    /// `serve` reads a served index's mapped IVF lists into the page cache after it starts,
    /// and says so in /metrics; a new build it reloads is read as well.
    @Test func serveWarmsTheMappedLists() async throws {
        let dir = try TemporaryFolder.create("ann-warm")
        defer { TemporaryFolder.remove(dir) }
        let ann = ["--ann", "ivf-flat", "--ann-lists", "4"]
        let server = try servePool(in: dir, ann: ann, serve: ["--reload-interval", "0.1"])
        defer { _ = server.stop() }
        func warmed() async throws -> (done: Bool, bytes: Int) {
            let lines = try await server.request("GET", "/metrics").body.split(separator: "\n")
            let bytes = lines.first { $0.hasPrefix("exemplar_warm_up_bytes_total ") }.flatMap { Int($0.split(separator: " ")[1]) }
            return (lines.contains("exemplar_warm_up_done 1"), bytes ?? -1)
        }
        var state = try await warmed()
        for _ in 0..<100 where !state.done {
            try await Task.sleep(for: .milliseconds(50))
            state = try await warmed()
        }
        #expect(state.done)
        // Both labels' lists: at least each row's id.
        #expect(state.bytes >= 300 * 8, "\(state)")
        // A rebuild over more rows: the server swaps it in and reads its lists too.
        let data = dir.appendingPathComponent("data.jsonl")
        try writeDataset(data, n: 400)
        #expect(try cli.run(["build", "--data", data.path, "--out", dir.appendingPathComponent("pool").path, "--model", tiny,
                             "--ann-min-rows", "50"] + ann).status == 0)
        var after = try await warmed()
        for _ in 0..<100 where after.bytes < state.bytes + 400 * 8 {
            try await Task.sleep(for: .milliseconds(50))
            after = try await warmed()
        }
        #expect(after.bytes >= state.bytes + 400 * 8, "\(state) then \(after)")
    }

    /// Partitions written for the build a server already serves (`build --ann` on unchanged
    /// data writes only `ann/`; a build's reload can also fall between its records and its
    /// `ann/`) are taken up at the next check, and their lists read.
    @Test func aServedBuildTakesPartitionsWrittenAfterItLoaded() async throws {
        let dir = try TemporaryFolder.create("ann-later")
        defer { TemporaryFolder.remove(dir) }
        let server = try servePool(in: dir, ann: [], serve: ["--reload-interval", "0.1"])
        defer { _ = server.stop() }
        func listBytes() async throws -> Int? {
            let lines = try await server.request("GET", "/metrics").body.split(separator: "\n")
            guard lines.contains("exemplar_warm_up_done 1") else { return nil }
            return lines.first { $0.hasPrefix("exemplar_warm_up_bytes_total ") }.flatMap { Int($0.split(separator: " ")[1]) }
        }
        var bytes = try await listBytes()
        for _ in 0..<100 where bytes == nil {
            try await Task.sleep(for: .milliseconds(50))
            bytes = try await listBytes()
        }
        #expect(bytes == 0)
        let index = dir.appendingPathComponent("pool").path
        #expect(try cli.run(["build", index, "--model", tiny, "--ann", "ivf-flat", "--ann-lists", "4", "--ann-min-rows", "50"]).status == 0)
        for _ in 0..<100 where (bytes ?? 0) == 0 {
            try await Task.sleep(for: .milliseconds(50))
            bytes = try await listBytes()
        }
        #expect((bytes ?? 0) >= 300 * 8)
    }

    @Test func staleOrDamagedAnnFallsBackToExact() throws {
        let dir = try TemporaryFolder.create("ann")
        defer { TemporaryFolder.remove(dir) }
        let data = dir.appendingPathComponent("data.jsonl")
        try writeDataset(data, n: 300)
        let index = dir.appendingPathComponent("idx")
        #expect(try cli.run(["build", "--data", data.path, "--out", index.path, "--model", tiny, "--ann", "hnsw", "--ann-min-rows", "50"]).status == 0)
        // A damaged faiss file: the index still opens and searches (exactly).
        let file = index.appendingPathComponent("ann/p0.faiss")
        let bytes = try Data(contentsOf: file)
        try bytes.prefix(bytes.count / 3).write(to: file)
        let damaged = try cli.run(["query", index.path, "great music", "--k", "3", "--json", "--model", tiny])
        let exact = try cli.run(["query", index.path, "great music", "--k", "3", "--json", "--model", tiny, "--exact"])
        #expect(damaged.status == 0 && damaged.out == exact.out, "\(damaged.stderr)")
        // The data changes: the old ann/ is stale (info says so) until the build replaces it.
        try writeDataset(data, n: 320)
        #expect(try cli.run(["build", index.path, "--model", tiny]).status == 0)
        let info = try cli.run(["info", index.path, "--json"])
        let ann = (try JSONSerialization.jsonObject(with: info.stdout) as? [String: Any])?["ann"] as? [String: Any]
        #expect(ann?["current"] as? Bool == true)
        #expect((ann?["partitions"] as? [[String: Any]])?.first?["rows"] as? Int == 160)
        // Bad options are usage errors.
        let bad = try cli.run(["build", index.path, "--model", tiny, "--ann", "lsh"])
        #expect(bad.status == 2 && bad.stderr.contains("--ann must be"))
        let orphan = try cli.run(["build", index.path, "--model", tiny, "--ann-min-rows", "5"])
        #expect(orphan.status == 2)
    }
}
