import ExemplarIndex
import ExemplarTestSupport
import Foundation
import Testing

/// `build --shard I/N` run as N processes at once on one index folder, then `merge`: the same
/// index as one plain build, and a shard that did not run is named, not embedded.
@Suite struct ShardTests {
    let cli = CLIRunner()
    var tiny: String { Fixtures.url("tiny-bert-max").path }

    func data(_ dir: URL, n: Int) throws -> URL {
        let url = dir.appendingPathComponent("pool.jsonl")
        try Data((0..<n).map { #"{"text": "pool sentence \#($0) about \#(["films", "plots", "actors"][$0 % 3]) number \#($0 * 7)", "label": "\#(["neg", "pos"][$0 % 2])"}"# + "\n" }
            .joined().utf8).write(to: url)
        return url
    }

    func flags(_ data: URL, _ index: URL) -> [String] { ["build", "--data", data.path, "--out", index.path, "--model", tiny] }

    /// Runs the shards `which` of `count` at once; returns their exit statuses.
    func runShards(_ which: [Int], of count: Int, data: URL, index: URL) throws -> [Int32] {
        let processes = try which.map { try cli.start(flags(data, index) + ["--shard", "\($0)/\(count)", "--threads", "1"]) }
        return processes.map { $0.waitUntilExit(); return $0.terminationStatus }
    }

    @Test(.timeLimit(.minutes(2))) func shardsRunTogetherAndMergeIntoThePlainBuild() throws {
        let dir = try TemporaryFolder.create("shards")
        defer { TemporaryFolder.remove(dir) }
        let data = try data(dir, n: 600)
        let reference = dir.appendingPathComponent("reference"), pool = dir.appendingPathComponent("pool")
        #expect(try cli.run(flags(data, reference)).status == 0)
        #expect(try runShards([0, 1, 2], of: 3, data: data, index: pool) == [0, 0, 0])
        // The shards wrote their files and no index.
        #expect(!FileManager.default.fileExists(atPath: pool.appendingPathComponent("data").path))
        #expect(IndexShards.files(in: pool).count == 3)
        // A shard run again finds its rows there and embeds nothing.
        let again = try cli.run(flags(data, pool) + ["--shard", "1/3", "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        let report = try #require(JSONSerialization.jsonObject(with: again.stdout) as? [String: Any])
        #expect(report["embedded"] as? Int == 0 && report["already_there"] as? Int == 200, "\(report)")

        let merged = try cli.run(["merge", pool.path, "--model", tiny, "--json"])
        #expect(merged.status == 0, "\(merged.stderr)")
        let built = try #require(JSONSerialization.jsonObject(with: merged.stdout) as? [String: Any])
        #expect(built["embedded"] as? Int == 0, "\(built)")
        #expect(IndexShards.files(in: pool).isEmpty)
        let a = try LoadedIndex.open(reference), b = try LoadedIndex.open(pool)
        #expect(a.records.count == 600 && b.records.count == 600 && a.manifest.dataFingerprint == b.manifest.dataFingerprint)
        for id in 0..<600 {
            let x = a.exact.rawVector(at: id), y = b.exact.rawVector(at: id)
            var dot: Float = 0, xx: Float = 0, yy: Float = 0
            for (p, q) in zip(x, y) {
                dot += p * q
                xx += p * p
                yy += q * q
            }
            let cosine = dot / (xx.squareRoot() * yy.squareRoot())
            #expect(cosine >= 0.99999, "record \(id): cosine \(cosine)")
        }
        #expect(try cli.run(["verify", pool.path]).status == 0)
    }

    @Test(.timeLimit(.minutes(2))) func aShardThatDidNotRunIsNamedAndNothingIsBuilt() throws {
        let dir = try TemporaryFolder.create("shardmissing")
        defer { TemporaryFolder.remove(dir) }
        let data = try data(dir, n: 300)
        let pool = dir.appendingPathComponent("pool")
        #expect(try runShards([0, 2], of: 3, data: data, index: pool) == [0, 0])
        let merged = try cli.run(["merge", pool.path, "--model", tiny])
        #expect(merged.status == 2)
        #expect(merged.stderr.contains("100 rows have no vector") && merged.stderr.contains("data rows 100-199"), "\(merged.stderr)")
        #expect(!FileManager.default.fileExists(atPath: pool.appendingPathComponent("data").path))
        #expect(try cli.run(flags(data, pool) + ["--shard", "1/3"]).status == 0)
        #expect(try cli.run(["merge", pool.path, "--model", tiny]).status == 0)
        #expect(try LoadedIndex.open(pool).records.count == 300)
        // Bad shard specs are usage errors.
        for bad in ["3/3", "-1/2", "1", "a/b", "0/0"] {
            #expect(try cli.run(flags(data, pool) + ["--shard", bad]).status == 2, "\(bad)")
        }
    }
}
