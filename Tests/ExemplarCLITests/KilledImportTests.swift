import ExemplarIndex
import ExemplarIO
import ExemplarStore
import ExemplarTestSupport
import Foundation
import Testing

/// kill -9 during the new layout's writes: a vector import (`build --vectors`: the pending
/// resume file, the vector file with its int8 codes, the commit) and online edits in a served
/// index (records, vectors and the per-(term, record) postings in one transaction each).
@Suite struct KilledImportTests {
    let cli = CLIRunner()
    var tiny: String { Fixtures.url("tiny-bert-max").path }

    /// Data of `n` distinct texts and an .npy of `n` synthetic rows of the tiny model's width.
    func importFixture(_ dir: URL, n: Int) throws -> (data: URL, npy: URL, vectors: [Float], dimension: Int) {
        let probe = dir.appendingPathComponent("probe.txt"), probeOut = dir.appendingPathComponent("probe.npy")
        try Data("one\n".utf8).write(to: probe)
        #expect(try cli.run(["embed", "--input", probe.path, "--output", probeOut.path, "--model", tiny]).status == 0)
        let dimension = try #require(NPY.decode([UInt8](Data(contentsOf: probeOut)))).shape[1]
        var rng = SplitMix(seed: 11)
        let vectors = (0..<(n * dimension)).map { _ in Float(Double(rng.next() % 2001) / 1000 - 1) }
        let npy = dir.appendingPathComponent("v.npy")
        try Data(NPY.encode(vectors, rows: n, columns: dimension)).write(to: npy)
        let data = dir.appendingPathComponent("data.jsonl")
        try Data((0..<n).map { #"{"text": "imported row \#($0) of \#(n)", "label": "\#(["a", "b"][$0 % 2])"}"# + "\n" }.joined().utf8)
            .write(to: data)
        return (data, npy, vectors, dimension)
    }

    /// Builds killed at random moments of an import: the index never opens damaged (not
    /// built, flagged incomplete, or complete), and the build that finishes holds exactly the
    /// file's vectors and passes `verify`.
    @Test(.timeLimit(.minutes(3))) func killedImportsResumeToTheFilesVectors() throws {
        let dir = try TemporaryFolder.create("killimport")
        defer { TemporaryFolder.remove(dir) }
        let n = 40_000
        let (data, npy, vectors, dimension) = try importFixture(dir, n: n)
        let flags = ["--model", tiny, "--vectors", npy.path, "--vectors-check", "0", "--chunk-size", "2000"]
        let reference = dir.appendingPathComponent("reference")
        let start = Date()
        let full = try cli.run(["build", "--data", data.path, "--out", reference.path] + flags)
        let duration = Date().timeIntervalSince(start)
        #expect(full.status == 0, "\(full.stderr)")

        let victim = dir.appendingPathComponent("victim")
        var kills = 0, log: [String] = []
        for attempt in 0..<30 where kills < 6 {
            let process = try cli.start(["build", "--data", data.path, "--out", victim.path] + flags)
            let delay = Double.random(in: 0.05...max(0.1, duration))
            Thread.sleep(forTimeInterval: delay)
            guard process.isRunning else { process.waitUntilExit(); try? FileManager.default.removeItem(at: victim); continue }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            kills += 1
            let state = IndexCommandTests.openState(victim.path)
            log.append(String(format: "attempt %d: kill at %.2f s: %@", attempt, delay, state))
            #expect(state == "incomplete" || state == "complete \(n)" || state.contains("not been built") || state.contains("no index.json"),
                    "\(log)")
        }
        #expect(kills >= 3, "only \(kills) kills landed (an import takes \(duration) s): \(log)")
        let resumed = try cli.run(["build", "--data", data.path, "--out", victim.path] + flags)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let index = try LoadedIndex.open(victim)
        #expect(index.records.count == n)
        for id in stride(from: 0, to: n, by: 997) {
            #expect(index.exact.rawVector(at: id) == Array(vectors[(id * dimension)..<((id + 1) * dimension)]), "record \(id)")
        }
        let verified = try cli.run(["verify", victim.path])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        // The pending resume file went with the commit.
        #expect(!FileManager.default.fileExists(atPath: IndexFolder.storeURL(victim).appendingPathComponent("pending-cache.bin").path))
    }

    /// A server killed while clients add examples: every addition it answered is there, none
    /// is there in part (its record, vector and postings together: `verify` passes), and the
    /// index serves and takes additions again.
    @Test(.timeLimit(.minutes(2))) func aServerKilledDuringAdditionsKeepsWhatItAnswered() async throws {
        let dir = try TemporaryFolder.create("killonline")
        defer { TemporaryFolder.remove(dir) }
        let n = 3_000
        let (data, npy, _, _) = try importFixture(dir, n: n)
        let index = dir.appendingPathComponent("pool")
        #expect(try cli.run(["build", "--data", data.path, "--out", index.path, "--model", tiny, "--vectors", npy.path, "--vectors-check", "0"]).status == 0)
        var answered = 0
        for round in 0..<3 {
            let process = Process()
            process.executableURL = try CLIRunner.binary
            process.arguments = ["serve", "--port", "0", "--model", tiny, "--index", index.path]
            let server = try ServeProcess(process)
            // Additions in flight from several clients, then kill -9 mid-stream.
            let added = try await withThrowingTaskGroup(of: Int.self) { group in
                for client in 0..<4 {
                    group.addTask {
                        var ok = 0
                        for i in 0..<400 {
                            guard let reply = try? await server.request("POST", "/v1/indexes/pool/examples",
                                                                        #"{"text": "round \#(round) client \#(client) text \#(i) plot", "label": "a"}"#),
                                  reply.status == 201 else { break }
                            ok += 1
                        }
                        return ok
                    }
                }
                try await Task.sleep(for: .milliseconds(300 + 200 * round))
                kill(process.processIdentifier, SIGKILL)
                var total = 0
                for try await ok in group { total += ok }
                return total
            }
            process.waitUntilExit()
            answered += added
            let reopened = try LoadedIndex.open(index)
            // At most the additions in flight at the kill (one per client) beyond those answered.
            #expect(reopened.records.count >= n + answered && reopened.records.count <= n + answered + 4,
                    "round \(round): \(reopened.records.count) records, \(answered) additions answered")
            answered = reopened.records.count - n
            #expect(try reopened.lexical == IndexBuilder.postings(reopened.records), "round \(round)")
            let verified = try cli.run(["verify", index.path])
            #expect(verified.status == 0, "round \(round): \(verified.stdout)\(verified.stderr)")
        }
        #expect(answered > 0)
    }

    /// Builds killed while they (re)build the faiss partitions (`--ann`, settings alternating
    /// so that every run rebuilds them): the index always opens, its `ann/` is either absent
    /// or a whole one that belongs to the build (never a damaged file: `approximateProblem` is
    /// nil), `verify` passes, and the next build puts the partitions in place.
    @Test(.timeLimit(.minutes(3))) func killedANNBuildsLeaveWholePartitionsOrNone() throws {
        let dir = try TemporaryFolder.create("killann")
        defer { TemporaryFolder.remove(dir) }
        let n = 30_000
        let (data, npy, _, _) = try importFixture(dir, n: n)
        let index = dir.appendingPathComponent("pool")
        let base = ["build", "--data", data.path, "--out", index.path, "--model", tiny, "--vectors", npy.path, "--vectors-check", "0"]
        #expect(try cli.run(base).status == 0)
        func ann(_ lists: Int) -> [String] { ["--ann", "ivf-flat", "--ann-min-rows", "1000", "--ann-lists", "\(lists)"] }
        let start = Date()
        let full = try cli.run(base + ann(64))
        let duration = Date().timeIntervalSince(start)
        #expect(full.status == 0, "\(full.stderr)")
        let (kills, log) = try killAtRandom(within: max(0.05, duration), from: 0.02, arguments: { base + ann($0 % 2 == 0 ? 48 : 64) }) { log in
            let opened = try LoadedIndex.open(index, lazyRecords: true)
            let parts = opened.exact.approximate?.partitions.count ?? 0
            #expect(opened.records.count == n && opened.approximateProblem == nil, "\(log)")
            #expect(parts == 0 || parts == 2, "\(log)")
            let verified = try cli.run(["verify", index.path])
            #expect(verified.status == 0, "\(log): \(verified.stdout)\(verified.stderr)")
            return "\(parts) partitions"
        }
        #expect(kills >= 3, "only \(kills) kills landed (an ANN build takes \(duration) s): \(log)")
        #expect(try cli.run(base + ann(40)).status == 0)
        let done = try LoadedIndex.open(index, lazyRecords: true)
        #expect(done.exact.approximate?.partitions.count == 2 && done.exact.approximate?.settings.parameters.lists == 40)
        // What killed writes left beside ann/ is gone.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: index.path).filter { $0.hasPrefix(".ann.") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    /// Compactions killed at random moments (the copy, the check, the swap): every kill leaves
    /// an index that opens with all its records and passes `verify`, and the next compaction
    /// finishes and leaves nothing of the earlier ones.
    @Test(.timeLimit(.minutes(3))) func killedCompactionsLeaveTheIndexWhole() throws {
        let dir = try TemporaryFolder.create("killcompact")
        defer { TemporaryFolder.remove(dir) }
        let n = 30_000
        let (data, npy, _, _) = try importFixture(dir, n: n)
        let index = dir.appendingPathComponent("pool")
        #expect(try cli.run(["build", "--data", data.path, "--out", index.path, "--model", tiny, "--vectors", npy.path, "--vectors-check", "0"]).status == 0)
        let start = Date()
        #expect(try cli.run(["compact", index.path]).status == 0)
        let duration = Date().timeIntervalSince(start)
        let (kills, log) = try killAtRandom(within: max(0.03, duration), from: 0.01, arguments: { _ in ["compact", index.path] }) { log in
            let left = try FileManager.default.contentsOfDirectory(atPath: index.path).filter { $0.hasPrefix("data") }.sorted()
            let verified = try cli.run(["verify", index.path])
            #expect(verified.status == 0, "\(log): \(verified.stdout)\(verified.stderr)")
            #expect(try LoadedIndex.open(index).records.count == n, "\(log)")
            return "left " + left.joined(separator: " ")
        }
        #expect(kills >= 3, "only \(kills) kills landed (a compaction takes \(duration) s): \(log)")
        #expect(try cli.run(["compact", index.path]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: index.path).filter { $0.hasPrefix("data") } == ["data"])
    }

    /// Up to 30 runs of `arguments(attempt)`, each killed with SIGKILL after a random delay in
    /// `from...within` seconds; `check(log)` runs after each of up to 6 kills that landed (a run
    /// that finished first does not count) and describes the state. Returns the kills and the log.
    func killAtRandom(within: Double, from: Double, arguments: (Int) -> [String],
                      check: ([String]) throws -> String) throws -> (kills: Int, log: [String]) {
        var kills = 0, log: [String] = []
        for attempt in 0..<30 where kills < 6 {
            let process = try cli.start(arguments(attempt))
            let delay = Double.random(in: from...within)
            Thread.sleep(forTimeInterval: delay)
            guard process.isRunning else { process.waitUntilExit(); continue }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            kills += 1
            log.append(String(format: "attempt %d: kill at %.3f s", attempt, delay))
            log[log.count - 1] += ": " + (try check(log))
        }
        return (kills, log)
    }
}
