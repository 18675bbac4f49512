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
        try run(under: "ulimit -f \(fileSizeBytes / 512)", args)
    }

    /// `exemplar args` run by sh after the shell command `limit` (a `ulimit`).
    func run(under limit: String, _ args: [String]) throws -> (status: Int32, reason: Process.TerminationReason, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(limit) && exec \"$0\" \"$@\"", try CLIRunner.binary.path] + args
        let err = Pipe()
        process.standardOutput = Pipe()
        process.standardError = err
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason, String(decoding: data, as: UTF8.self))
    }

    /// Under an address-space limit (`ulimit -v`, KiB in sh) the LMDB map is reserved within it:
    /// an index builds, opens and answers a query (a 1 TiB map would not open).
    @Test func anAddressSpaceLimitStillOpensIndexes() throws {
        let dir = try TemporaryFolder.create("exemplar-vlimit")
        defer { TemporaryFolder.remove(dir) }
        let data = dir.appendingPathComponent("data.jsonl")
        try Data((0..<40).map { #"{"text": "sentence \#($0) about a film", "label": "\#($0 % 2)"}"# + "\n" }.joined().utf8).write(to: data)
        let index = dir.appendingPathComponent("idx").path
        for args in [["build", "--data", data.path, "--out", index, "--model", tiny], ["query", index, "film", "--k", "2", "--model", tiny]] {
            let result = try run(under: "ulimit -v 8000000", args)
            #expect(result.status == 0, "\(args[0]): \(result.stderr)")
        }
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

extension StorageFaultTests {
    /// A server whose index can no longer grow (ulimit -f): the failed edit is a 500 naming the
    /// cause, acknowledged edits stay, the server keeps serving and stops cleanly on SIGTERM.
    @Test func servedEditsPastTheFileSizeLimitFailCleanly() async throws {
        let dir = try TemporaryFolder.create("exemplar-fsize-serve")
        defer { TemporaryFolder.remove(dir) }
        let data = dir.appendingPathComponent("data.jsonl")
        let rows = (0..<40).map { #"{"text": "example sentence number \#($0)", "label": "\#($0 % 2)"}"# }
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: data)
        let index = dir.appendingPathComponent("idx")
        let built = try cli.run(["build", "--data", data.path, "--out", index.path, "--model", tiny, "--threads", "1"])
        try #require(built.status == 0, "\(built.stderr)")
        let file = IndexFolder.storeURL(index).appendingPathComponent("data.mdb")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int)

        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "ulimit -f \((size + 256 * 1024) / 512) && exec \"$0\" \"$@\"", try CLIRunner.binary.path,
                           "serve", "--port", "0", "--index", index.path, "--model", tiny]
        let server = try ServeProcess(shell)
        try #require(server.serving, "\(server.log)")

        var acknowledged = 0, failure: (status: Int, body: String)?
        for batch in 0..<400 where failure == nil {
            let examples = (0..<64).map { #"{"text": "added \#(batch)-\#($0) with a longer text to fill pages", "label": "1"}"# }
            let reply = try await server.request("POST", "/v1/indexes/idx/examples", "{\"examples\": [\(examples.joined(separator: ","))]}")
            if reply.status == 201 { acknowledged += 64 } else { failure = reply }
        }
        let (status, body) = try #require(failure, "the limit was never reached")
        #expect(status == 500 && body.contains("File too large") && body.contains("ulimit -f"), "\(status) \(body)")
        // Still serving, and the edits it acknowledged are there.
        #expect(try await server.request("POST", "/v1/indexes/idx/search", #"{"text": "added", "k": 3}"#).status == 200)
        server.stop()
        #expect(server.process.terminationReason == .exit && server.process.terminationStatus == 0, "\(server.log)")
        #expect(try LoadedIndex.open(index).manifest.total == 40 + acknowledged)
        #expect(try cli.run(["verify", index.path]).status == 0)
    }
}
