import Foundation

/// Scratch folders under the system temporary directory, one fresh folder per call.
public enum TemporaryFolder {
    /// Creates an empty folder named `exemplar-<prefix>-<UUID>` and returns it.
    public static func create(_ prefix: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("exemplar-\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Removes `folder` and everything in it; a folder already gone is not an error.
    public static func remove(_ folder: URL) {
        try? FileManager.default.removeItem(at: folder)
    }
}
