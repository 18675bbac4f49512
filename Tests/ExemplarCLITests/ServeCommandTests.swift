import ExemplarTestSupport
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `exemplar serve` as a user runs it: start-up errors exit 2; a real run serves, then stops on SIGTERM.
@Suite(.timeLimit(.minutes(2))) struct ServeCommandTests {
    let cli = CLIRunner()
    var tiny: String { Fixtures.url("tiny-bert-max").path }

    @Test func startUpErrorsExitTwo() throws {
        let badPort = try cli.run(["serve", "--port", "70000"])
        #expect(badPort.status == 2 && badPort.stderr.contains("--port must be an integer in 0...65535"))
        let noIndex = try cli.run(["serve", "--model", tiny, "--port", "0", "--index", "/nonexistent/index"])
        #expect(noIndex.status == 2 && noIndex.stderr.contains("is not an index"), "\(noIndex.stderr)")
        let badHost = try cli.run(["serve", "--model", tiny, "--port", "0", "--host", "localhost.example"])
        #expect(badHost.status == 2 && badHost.stderr.contains("cannot listen"), "\(badHost.stderr)")
        let noToken = try cli.run(["serve", "--model", tiny, "--port", "0", "--token-file", "/nonexistent/token"])
        #expect(noToken.status == 2 && noToken.stderr.contains("--token-file"))
        #expect(try cli.run(["serve", "--help"]).out.contains("--max-batch N"))
    }

    /// The runner's deadline, on a binary that never ends by itself.
    @Test func aRunPastItsTimeoutIsKilled() throws {
        let start = Date()
        let r = try cli.run(["serve", "--port", "0", "--model", tiny], timeout: 2)
        #expect(r.status == SIGKILL && r.stderr.contains("killed after 2.0 s"), "\(r.status) \(r.stderr)")
        #expect(Date().timeIntervalSince(start) < 30)
    }

    @Test func servesUntilSIGTERM() async throws {
        let dir = try TemporaryFolder.create("cli")
        defer { TemporaryFolder.remove(dir) }
        let index = dir.appendingPathComponent("sst2").path
        let data = Fixtures.url("data/k-shot/SST-2/16-42").path
        #expect(try cli.run(["build", "--data", data, "--task", "SST-2", "--out", index, "--model", tiny]).status == 0)
        let tokenFile = dir.appendingPathComponent("token")
        try Data("tok-123\n".utf8).write(to: tokenFile)

        let process = Process()
        process.executableURL = try CLIRunner.binary
        process.arguments = ["serve", "--port", "0", "--model", tiny, "--index", index, "--token-file", tokenFile.path, "--access-log"]
        let server = try ServeProcess(process)
        #expect(server.log.contains("serving on http://127.0.0.1:") && server.log.contains("indexes: sst2"), "\(server.log)")

        #expect(try await server.request("GET", "/v1/indexes/sst2").status == 401)
        let ok = try await server.request("GET", "/v1/indexes/sst2", headers: ["Authorization": "Bearer tok-123"])
        #expect(ok.status == 200)
        #expect(ok.body.contains("\"examples\":11"))

        let log = server.stop()  // SIGTERM
        #expect(process.terminationStatus == 0)
        #expect(log.contains("exemplar: stopped"))
        #expect(log.contains("GET /v1/indexes/sst2 401 ") && log.contains("GET /v1/indexes/sst2 200 "), "\(log)")
    }
}
