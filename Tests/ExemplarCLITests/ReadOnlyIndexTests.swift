import ExemplarTestSupport
import Foundation
import Testing

enum ReadOnlyMount {
    /// Whether this machine lets an unprivileged process make a read-only bind mount.
    static let available: Bool = {
        guard let dir = try? TemporaryFolder.create("exemplar-ro-probe") else { return false }
        defer { TemporaryFolder.remove(dir) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        p.arguments = ["-rm", "sh", "-c", #"mount --bind "$1" "$1" && mount -o remount,bind,ro "$1""#, "sh", dir.path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()
}

/// An index on read-only media (a read-only bind mount, made in a user and mount namespace with
/// `unshare -rm`, so no privileges are needed): it is searched; edits are refused with 409.
@Suite(.timeLimit(.minutes(2)), .enabled(if: ReadOnlyMount.available, "needs unshare -rm (user namespaces)"))
struct ReadOnlyIndexTests {
    let cli = CLIRunner()
    var tiny: String { Fixtures.url("tiny-bert-max").path }

    /// `exemplar args` with `folder` mounted read-only for it.
    func readOnlyProcess(_ folder: URL, _ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        p.arguments = ["-rm", "sh", "-c", #"mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@""#,
                       "sh", folder.path, try CLIRunner.binary.path] + args
        return p
    }

    func runReadOnly(_ folder: URL, _ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = try readOnlyProcess(folder, args)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test func aReadOnlyIndexIsSearchedAndServed() async throws {
        let dir = try TemporaryFolder.create("exemplar-ro")
        defer { TemporaryFolder.remove(dir) }
        let index = dir.appendingPathComponent("sst2")
        let built = try cli.run(["build", "--data", Fixtures.url("data/k-shot/SST-2/16-42").path, "--task", "SST-2",
                                 "--out", index.path, "--model", tiny])
        try #require(built.status == 0, "\(built.stderr)")

        // The mount really is read-only.
        let touch = Process()
        touch.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        touch.arguments = ["-rm", "sh", "-c", #"mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && touch "$1/x""#, "sh", dir.path]
        touch.standardError = FileHandle.nullDevice
        try touch.run()
        touch.waitUntilExit()
        #expect(touch.terminationStatus != 0)

        let info = try runReadOnly(dir, ["info", index.path])
        #expect(info.status == 0 && info.out.contains("records:    11"), "\(info.err)")
        let query = try runReadOnly(dir, ["query", index.path, "a gripping thriller", "--model", tiny, "--json"])
        #expect(query.status == 0 && query.out.contains("\"hits\""), "\(query.err)")
        let demos = try runReadOnly(dir, ["demos", index.path, "--queries", "test", "--num-sample", "2"])
        #expect(demos.status == 0 && demos.out.split(separator: "\n").count == 6, "\(demos.err)")
        // A build cannot write there: a clear error, not a crash.
        let build = try runReadOnly(dir, ["build", index.path, "--model", tiny])
        #expect(build.status == 1 || build.status == 2, "\(build.status) \(build.err)")
        #expect(build.err.contains("Read-only file system"), "\(build.err)")

        // The service opens it read-only: searches work, edits answer 409.
        let server = try ServeProcess(try readOnlyProcess(dir, ["serve", "--port", "0", "--model", tiny, "--index", index.path]))
        try #require(server.serving, "\(server.log)")
        #expect(try await server.request("GET", "/v1/indexes/sst2").body.contains("\"read_only\":true"))
        let search = try await server.request("POST", "/v1/indexes/sst2/search", #"{"text": "a gripping thriller", "k": 2}"#)
        #expect(search.status == 200 && search.body.contains("\"hits\""), "\(search)")
        let add = try await server.request("POST", "/v1/indexes/sst2/examples", #"{"text": "a new one", "label": "1"}"#)
        #expect(add.status == 409 && add.body.contains("read-only"), "\(add)")
        let batch = try await server.request("POST", "/v1/indexes/sst2/examples", #"{"examples": [{"text": "x", "label": "0"}]}"#)
        #expect(batch.status == 409)
        server.stop()
        #expect(server.process.terminationReason == .exit && server.process.terminationStatus == 0)
    }
}
