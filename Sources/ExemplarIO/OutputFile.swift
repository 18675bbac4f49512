import ExemplarData
import ExemplarJSON
import Foundation

/// An output written to a temporary file beside its destination and moved into place only
/// when complete, so a failure never leaves a partial file that looks finished.
/// The path `-` writes to standard output directly.
public struct OutputFile {
    public let path: String
    private let handle: FileHandle
    private let temporaryPath: String?
    private var buffer = Data()
    private var lineBuffer: [UInt8] = []

    public init(path: String) throws(DataError) {
        self.path = path
        if path == "-" {
            handle = FileHandle.standardOutput
            temporaryPath = nil
            return
        }
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)").path
        guard FileManager.default.createFile(atPath: temp, contents: nil),
              let handle = FileHandle(forWritingAtPath: temp) else {
            throw .cannotWrite(file: path, reason: "cannot create the output file (does its folder exist and is it writable?)")
        }
        self.handle = handle
        self.temporaryPath = temp
    }

    /// Appends bytes (buffered).
    public mutating func write(_ bytes: some Sequence<UInt8>) throws(DataError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    public mutating func write(_ string: String) throws(DataError) {
        try write(string.utf8)
    }

    private mutating func flush() throws(DataError) {
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw .cannotWrite(file: path, reason: "write failed: \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and moves the file into place.
    public mutating func commit() throws(DataError) {
        try flush()
        guard let temporaryPath else { return }
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw .cannotWrite(file: path, reason: "write failed: \(error.localizedDescription)")
        }
        if rename(temporaryPath, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw .cannotWrite(file: path, reason: "cannot move the finished output into place: \(reason)")
        }
    }

    /// Writes the file at `path` with `body`, then commits it; on any error the unfinished
    /// file is removed and the error rethrown.
    public static func write(to path: String, _ body: (inout OutputFile) throws -> Void) throws {
        var out = try OutputFile(path: path)
        do {
            try body(&out)
            try out.commit()
        } catch {
            out.discard()
            throw error
        }
    }

    /// Appends `value` as one line of JSON Lines.
    public mutating func writeLine(_ value: JSONValue) throws(DataError) {
        lineBuffer.removeAll(keepingCapacity: true)
        value.write(to: &lineBuffer)
        lineBuffer.append(0x0A)
        try write(lineBuffer)
    }

    /// Removes the unfinished file.
    public func discard() {
        guard let temporaryPath else { return }
        try? handle.close()
        unlink(temporaryPath)
    }
}
