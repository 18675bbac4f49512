import ExemplarIndex
import ExemplarTestSupport
import Foundation
import Testing

/// Writes that fail under the store: a clear error and a clean exit, the previous index kept.
@Suite(.timeLimit(.minutes(2))) struct StorageFaultTests {
    let cli = CLIRunner()
    var tiny: String { Fixtures.url("tiny-bert-max").path }

    /// `exemplar args` under a file size limit (RLIMIT_FSIZE, through the shell's `ulimit -f`, 512-byte blocks in sh).
    func runLimited(fileSizeBytes: Int, _ args: [String]) throws -> (status: Int32, reason: Process.TerminationReason, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -f \(fileSizeBytes / 512) && exec \"$0\" \"$@\"", try CLIRunner.binary.path] + args
        let err = Pipe()
        process.standardOutput = Pipe()
        process.standardError = err
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason, String(decoding: data, as: UTF8.self))
    }

    @Test func aBuildPastTheFileSizeLimitFailsCleanlyAndKeepsTheIndex() throws {
        let dir = try TemporaryFolder.create("exemplar-fsize")
        defer { TemporaryFolder.remove(dir) }
        let data = dir.appendingPathComponent("data.jsonl")
        func write(_ n: Int) throws {
            let rows = (0..<n).map { #"{"text": "example sentence number \#($0) with some words", "label": "\#($0 % 2)"}"# }
            try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: data)
        }
        try write(40)
        let index = dir.appendingPathComponent("idx")
        let first = try cli.run(["build", "--data", data.path, "--out", index.path, "--model", tiny, "--threads", "1"])
        try #require(first.status == 0, "\(first.stderr)")
        let before = try LoadedIndex.open(index)

        // 3,000 more rows need far more than 64 KiB beyond the file as it is.
        try write(3040)
        let file = IndexFolder.storeURL(index).appendingPathComponent("data.mdb")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int)
        let limited = try runLimited(fileSizeBytes: size + 64 * 1024, ["build", index.path, "--model", tiny, "--threads", "1"])
        #expect(limited.reason == .exit, "ended by a signal: \(limited.status) \(limited.stderr)")
        #expect(limited.status == 1, "\(limited.stderr)")
        #expect(limited.stderr.contains("idx") && limited.stderr.contains("File too large") && limited.stderr.contains("ulimit -f"), "\(limited.stderr)")
        #expect(!limited.stderr.contains("double free"))

        // The previous complete index is intact, and a build without the limit finishes the job.
        let after = try LoadedIndex.open(index)
        #expect(after.records == before.records && after.manifest.total == 40)
        let again = try cli.run(["build", index.path, "--model", tiny, "--threads", "1"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try LoadedIndex.open(index).manifest.total == 3040)
    }
}
