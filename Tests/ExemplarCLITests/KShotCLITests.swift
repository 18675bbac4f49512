import ExemplarTestSupport
import Foundation
import Testing

/// `exemplar kshot` on the k-shot fixtures (Tests/Fixtures/data/kshot, scripts/make-kshot-fixtures.py).
@Suite struct KShotCLITests {
    let cli = CLIRunner()
    static let kshotFixtures = Fixtures.url("data/kshot")

    @Test func kshotWritesLMBFFFilesByteForByte() throws {
        let dir = try TemporaryFolder.create("cli")
        defer { TemporaryFolder.remove(dir) }
        let original = Self.kshotFixtures.appendingPathComponent("original").path
        for (task, k) in [("MRPC", 4), ("sst-5", 2)] {
            let r = try cli.run(["kshot", "--data", original, "--task", task, "--k", "\(k)", "--seeds", "13,21,42,87,100",
                             "--output", dir.path, "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.split(separator: "\n").filter { $0.hasPrefix("\(task) \(k)-") }.count == 5)
            let summary = try JSONSerialization.jsonObject(with: r.stdout) as? [[String: Any]]
            #expect(summary?.count == 5 && summary?.first?["task"] as? String == task)
            let expected = Self.kshotFixtures.appendingPathComponent("k-shot/\(task)")
            let files = FileManager.default.enumerator(atPath: expected.path)?.compactMap { $0 as? String }
                .filter { $0.contains(".") } ?? []
            #expect(files.count == 15)
            for file in files {
                let written = try? Data(contentsOf: dir.appendingPathComponent("\(task)/\(file)"))
                #expect(written == (try Data(contentsOf: expected.appendingPathComponent(file))), "\(task)/\(file)")
            }
        }
    }

    @Test("kshot: bad usage or input exits 2 with what to do, writing nothing")
    func kshotErrors() throws {
        let dir = try TemporaryFolder.create("cli")
        defer { TemporaryFolder.remove(dir) }
        let original = Self.kshotFixtures.appendingPathComponent("original").path
        let out = dir.appendingPathComponent("out").path
        let help = try cli.run(["kshot", "--help"])
        #expect(help.status == 0 && help.out.contains("USAGE: exemplar kshot") && help.out.contains("EXAMPLES"))
        let cases: [([String], String)] = [
            (["--data", original, "--output", out], "--task is required"),
            (["--data", original, "--task", "SST-3", "--output", out], "unknown task \"SST-3\""),
            (["--data", original, "--task", "RTE", "--output", out], "no such folder"),
            (["--data", original, "--task", "MRPC", "--k", "5", "--output", out], "needs 10"),
            (["--data", original, "--task", "MRPC", "--seeds", "13,x", "--output", out], "--seeds"),
            (["--data", original, "--task", "MRPC", "--k", "0", "--output", out], "--k"),
        ]
        for (args, message) in cases {
            let r = try cli.run(["kshot"] + args)
            #expect(r.status == 2 && r.stderr.contains(message), "\(args): \(r.status) \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        // LM-BFF's own behaviour on request: short splits.
        let short = try cli.run(["kshot", "--data", original, "--task", "mrpc", "--k", "5", "--seeds", "42", "--output", out, "--allow-short"])
        #expect(short.status == 0 && FileManager.default.fileExists(atPath: out + "/MRPC/5-42/dev.tsv"), "\(short.stderr)")
    }
}
