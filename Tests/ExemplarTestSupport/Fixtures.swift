import Foundation

/// The committed fixtures folder, Tests/Fixtures (see its README.md for what made each file).
public enum Fixtures {
    /// Tests/Fixtures, found from this file's own path: the one place that knows the layout.
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A file or folder inside Tests/Fixtures, e.g. `url("tiny-bert-max")`.
    public static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }
}
