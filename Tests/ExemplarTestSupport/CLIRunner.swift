import Foundation

/// A binary SwiftPM built beside the test bundle (`exemplar`, or `exemplar-bench`), run as a user runs it.
public struct CLIRunner: Sendable {
    /// The executable's name.
    public let program: String

    /// How a run ended and what it wrote.
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: Data
        public let stderr: String
        /// Standard output as UTF-8 text.
        public var out: String { String(decoding: stdout, as: UTF8.self) }
    }

    public init(program: String = "exemplar") {
        self.program = program
    }

    /// The built `exemplar`.
    public static var binary: URL {
        get throws { try CLIRunner().binary }
    }

    /// The built binary: beside the test bundle or up to two folders above it.
    public var binary: URL {
        get throws {
            var dir = Bundle.main.bundleURL
            for _ in 0..<3 {
                let candidate = dir.appendingPathComponent(program)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                dir.deleteLastPathComponent()
            }
            throw CocoaError(.fileNoSuchFile, userInfo: [
                NSLocalizedDescriptionKey: "\(program) binary not found near \(Bundle.main.bundleURL.path); run swift build",
            ])
        }
    }

    /// Runs `exemplar args` to the end: `stdin` is its whole standard input (then closed),
    /// `environment` is added to this process's environment, `directory` is its working directory. A run still going after
    /// `timeout` seconds is killed (status 9), so a hung binary fails its test instead of
    /// blocking the suite.
    public func run(_ args: [String], stdin: Data? = nil, environment: [String: String] = [:],
                    directory: URL? = nil, timeout: TimeInterval = 120) throws -> Result {
        let process = try prepare(args, environment: environment)
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        let started = Date()
        let pid = process.processIdentifier
        let deadline = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: deadline)
        defer { deadline.cancel() }
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var stderr = String(decoding: errData, as: UTF8.self)
        if process.terminationReason == .uncaughtSignal && Date().timeIntervalSince(started) >= timeout {
            stderr += "[test runner: killed after \(timeout) s]\n"
        }
        return Result(status: process.terminationStatus, stdout: outData, stderr: stderr)
    }

    /// Starts `exemplar args` without waiting for it (for tests that signal or kill it).
    /// Output goes to `stdout` and `stderr` (a `Pipe` or `FileHandle`), by default nowhere.
    public func start(_ args: [String], stdout: Any = FileHandle.nullDevice, stderr: Any = FileHandle.nullDevice) throws -> Process {
        let process = try prepare(args, environment: [:])
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    private func prepare(_ args: [String], environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = try binary
        process.arguments = args
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        return process
    }
}
