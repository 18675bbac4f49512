import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An `exemplar serve` process (started by the caller's `Process`: directly, under `ulimit`, in
/// a namespace), with the port it printed and plain HTTP to it.
public final class ServeProcess: @unchecked Sendable {
    // @unchecked: `process` and the pipe are used from one test at a time, as Process allows.
    public let process: Process
    /// What the server wrote to standard error up to its "serving on" line.
    public private(set) var log = ""
    public let port: String
    private let stderr = Pipe()
    /// What it wrote after that line: drained as it comes, so a chatty server never blocks on a full pipe.
    private let rest = Mutex("")

    /// Runs `process` (configured, not started) and waits for its "serving on" line.
    public init(_ process: Process) throws {
        self.process = process
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr
        try process.run()
        var log = ""
        while !log.contains("\n") {
            let chunk = stderr.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            log += String(decoding: chunk, as: UTF8.self)
        }
        self.log = log
        port = log.split(separator: ":").dropFirst(3).first.map { String($0.prefix { $0.isNumber }) } ?? ""
        stderr.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let chunk = handle.availableData
            if chunk.isEmpty { handle.readabilityHandler = nil; return }
            self?.rest.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
        }
    }

    /// Whether the server said it is serving.
    public var serving: Bool { log.contains("serving on") && !port.isEmpty }

    /// One request; the status and the body as text.
    public func request(_ method: String, _ path: String, _ body: String? = nil,
                        headers: [String: String] = [:]) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.cachePolicy = .reloadIgnoringLocalCacheData  // URLCache.shared persists on disk across runs
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    /// Sends SIGTERM and waits; returns the rest of standard error.
    @discardableResult
    public func stop() -> String {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        stderr.fileHandleForReading.readabilityHandler = nil
        let tail = String(decoding: (try? stderr.fileHandleForReading.readToEnd()) ?? Data(), as: UTF8.self)
        log += rest.withLock { $0 } + tail
        return log
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}
