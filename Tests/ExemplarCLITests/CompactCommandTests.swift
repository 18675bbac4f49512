import ExemplarIndex
import ExemplarIO
import ExemplarTestSupport
import Foundation
import Testing

/// `exemplar compact`: freed pages returned, results unchanged, refused while the index is
/// served, and every state a kill can leave opens whole.
@Suite struct CompactCommandTests {
    let cli = CLIRunner()
    var tiny: String { Fixtures.url("tiny-bert-max").path }

    /// An index of `n` imported rows, rebuilt from its first `kept` rows (freeing pages).
    func shrunkIndex(_ dir: URL, n: Int, kept: Int) throws -> URL {
        let (data, npy, vectors, dimension) = try KilledImportTests().importFixture(dir, n: n)
        let index = dir.appendingPathComponent("pool")
        #expect(try cli.run(["build", "--data", data.path, "--out", index.path, "--model", tiny, "--vectors", npy.path, "--vectors-check", "0"]).status == 0)
        let lines = try String(contentsOf: data, encoding: .utf8).split(separator: "\n").prefix(kept)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: data)
        try Data(NPY.encode(Array(vectors.prefix(kept * dimension)), rows: kept, columns: dimension)).write(to: npy)
        let rebuilt = try cli.run(["build", "--data", data.path, "--out", index.path, "--model", tiny, "--vectors", npy.path, "--vectors-check", "0"])
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        return index
    }

    func json(_ result: CLIRunner.Result) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
    }

    @Test(.timeLimit(.minutes(2))) func compactionShrinksTheFileAndChangesNoResult() throws {
        let dir = try TemporaryFolder.create("compact")
        defer { TemporaryFolder.remove(dir) }
        let index = try shrunkIndex(dir, n: 20_000, kept: 2_000)
        let query = ["query", index.path, "imported row 7", "--model", tiny, "--k", "5", "--per-class", "--json"]
        let before = try cli.run(query)
        #expect(before.status == 0, "\(before.stderr)")
        let compacted = try cli.run(["compact", index.path, "--json"])
        #expect(compacted.status == 0, "\(compacted.stderr)")
        let report = try json(compacted)
        let bytesBefore = try #require(report["bytes_before"] as? Int), bytesAfter = try #require(report["bytes_after"] as? Int)
        // The dropped rows' vectors stay in the cache (a later build may want them): what goes is
        // the freed pages of the replaced records, postings and vectors.
        #expect(Double(bytesAfter) < 0.8 * Double(bytesBefore), "\(report)")
        #expect(try cli.run(query).stdout == before.stdout)
        let verified = try cli.run(["verify", index.path])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        // Nothing of the swap is left, and the index still takes builds.
        #expect(try FileManager.default.contentsOfDirectory(atPath: index.path).filter { $0.hasPrefix("data.") }.isEmpty)
        #expect(try cli.run(["compact", index.path]).status == 0)
        #expect(try LoadedIndex.open(index).records.count == 2_000)
    }

    @Test(.timeLimit(.minutes(2))) func aServedIndexIsNotCompacted() throws {
        let dir = try TemporaryFolder.create("compactserved")
        defer { TemporaryFolder.remove(dir) }
        let index = try shrunkIndex(dir, n: 3_000, kept: 1_000)
        let process = Process()
        process.executableURL = try CLIRunner.binary
        process.arguments = ["serve", "--port", "0", "--model", tiny, "--index", index.path]
        let server = try ServeProcess(process)
        defer { server.stop() }
        #expect(server.serving, "\(server.log)")
        let refused = try cli.run(["compact", index.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("pid \(process.processIdentifier)"), "\(refused.stderr)")
        #expect(try LoadedIndex.open(index).records.count == 1_000)
    }

    /// The states a kill can leave between the copy and the tidy-up, made by hand: each opens
    /// with every record, and the next command that may write completes or tidies the swap.
    @Test(.timeLimit(.minutes(2))) func everyInterruptedSwapOpensWhole() throws {
        let dir = try TemporaryFolder.create("compactstates")
        defer { TemporaryFolder.remove(dir) }
        let index = try shrunkIndex(dir, n: 2_000, kept: 500)
        let files = FileManager.default
        let data = index.appendingPathComponent("data"), copy = index.appendingPathComponent("data.compact")
        let marker = index.appendingPathComponent("data.compact.complete"), aside = index.appendingPathComponent("data.precompact")
        func names() throws -> Set<String> { Set(try files.contentsOfDirectory(atPath: index.path).filter { $0.hasPrefix("data") }) }
        func state(_ make: () throws -> Void) throws -> Set<String> {
            try make()
            let info = try cli.run(["info", index.path, "--json"])
            #expect(info.status == 0, "\(info.stderr)")
            #expect(try LoadedIndex.open(index).records.count == 500)
            return try names()
        }
        // Killed while copying (no marker): the partial copy stays for the next compaction.
        #expect(try state { try files.copyItem(at: data, to: copy) } == ["data", "data.compact"])
        #expect(try cli.run(["compact", index.path]).status == 0)
        #expect(try names() == ["data"])
        // Killed after the marker, before the swap: the copy and the marker go.
        #expect(try state {
            try files.copyItem(at: data, to: copy)
            _ = files.createFile(atPath: marker.path, contents: nil)
        } == ["data"])
        // Killed between the two renames: the copy is moved in.
        #expect(try state {
            try files.copyItem(at: data, to: copy)
            _ = files.createFile(atPath: marker.path, contents: nil)
            try files.moveItem(at: data, to: aside)
        } == ["data"])
        // Killed after the swap, before the tidy-up.
        #expect(try state {
            try files.copyItem(at: data, to: aside)
            _ = files.createFile(atPath: marker.path, contents: nil)
        } == ["data"])
        let verified = try cli.run(["verify", index.path])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    }
}
