import ExemplarTestSupport
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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
        let server = try readOnlyProcess(dir, ["serve", "--port", "0", "--model", tiny, "--index", index.path])
        let err = Pipe()
        server.standardOutput = FileHandle.nullDevice
        server.standardError = err
        try server.run()
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        var log = ""
        while !log.contains("\n") {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            log += String(decoding: chunk, as: UTF8.self)
        }
        let port = log.split(separator: ":").dropFirst(3).first.map { String($0.prefix { $0.isNumber }) } ?? ""
        try #require(log.contains("serving on"), "\(log)")
        func post(_ path: String, _ body: String) async throws -> (Int, String) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.httpMethod = "POST"
            request.httpBody = Data(body.utf8)
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
        }
        let (described, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/v1/indexes/sst2")!)
        #expect(String(decoding: described, as: UTF8.self).contains("\"read_only\":true"))
        let search = try await post("/v1/indexes/sst2/search", #"{"text": "a gripping thriller", "k": 2}"#)
        #expect(search.0 == 200 && search.1.contains("\"hits\""), "\(search)")
        let add = try await post("/v1/indexes/sst2/examples", #"{"text": "a new one", "label": "1"}"#)
        #expect(add.0 == 409 && add.1.contains("read-only"), "\(add)")
        let delete = try await post("/v1/indexes/sst2/examples", #"{"examples": [{"text": "x", "label": "0"}]}"#)
        #expect(delete.0 == 409)
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        #expect(server.terminationReason == .exit && server.terminationStatus == 0)
    }
}
