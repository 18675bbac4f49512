@testable import ExemplarEncoder
import ExemplarCore
import ExemplarTestSupport
import Foundation
import Testing

/// The weights hash recorded between runs: reused while the file's stat is unchanged,
/// recomputed after any change, harmless when the record folder cannot be written.
@Suite struct WeightsHashTests {
    func plainHash(_ data: Data) -> String {
        var sha = SHA256()
        data.withUnsafeBytes { sha.update($0) }
        return sha.hex()
    }

    @Test func recordedHashFollowsTheFile() throws {
        let folder = try TemporaryFolder.create("weights-hash")
        defer { TemporaryFolder.remove(folder) }
        let file = folder.appendingPathComponent("model.safetensors")
        let environment = ["XDG_CACHE_HOME": folder.appendingPathComponent("cache").path]
        try Data("first weights".utf8).write(to: file)
        #expect(try WeightsHash.sha256(of: file, environment: environment) == plainHash(Data("first weights".utf8)))
        let record = WeightsHash.recordURL(for: file.standardizedFileURL.path, environment: environment)
        #expect(FileManager.default.fileExists(atPath: record.path))

        // A record whose stamp matches is believed (this is what saves the re-read) ...
        let stamp = try #require(WeightsHash.stamp(file.path))
        let planted = String(repeating: "a", count: 64)
        try Data("v1 \(stamp) \(planted)\n".utf8).write(to: record)
        #expect(try WeightsHash.sha256(of: file, environment: environment) == planted)

        // ... and any change to the file (same size, new content and times) is noticed.
        try Data("other weights".utf8).write(to: file)
        #expect(try WeightsHash.sha256(of: file, environment: environment) == plainHash(Data("other weights".utf8)))

        // A damaged record is ignored and replaced.
        try Data("v1 garbage".utf8).write(to: record)
        #expect(try WeightsHash.sha256(of: file, environment: environment) == plainHash(Data("other weights".utf8)))
        #expect(try String(contentsOf: record, encoding: .utf8).hasSuffix(plainHash(Data("other weights".utf8)) + "\n"))
    }

    @Test func unwritableRecordFolderStillHashes() throws {
        let folder = try TemporaryFolder.create("weights-hash")
        defer { TemporaryFolder.remove(folder) }
        let file = folder.appendingPathComponent("model.safetensors")
        try Data("weights".utf8).write(to: file)
        // XDG_CACHE_HOME is a regular file: no record can be written below it.
        let blocker = folder.appendingPathComponent("not-a-folder")
        try Data().write(to: blocker)
        #expect(try WeightsHash.sha256(of: file, environment: ["XDG_CACHE_HOME": blocker.path]) == plainHash(Data("weights".utf8)))
    }
}
