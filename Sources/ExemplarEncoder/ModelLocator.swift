import Foundation

/// Finds the model folder: an explicit path, else `$EXEMPLAR_MODEL`, else the folder that
/// `scripts/fetch-model` fills (`$XDG_CACHE_HOME/exemplar/all-MiniLM-L6-v2`, by default
/// under `~/.cache`).
public enum ModelLocator {
    /// The command that fetches the default model.
    public static let fetchCommand = "scripts/fetch-model"

    /// Where `scripts/fetch-model` puts all-MiniLM-L6-v2.
    public static func defaultFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let cache: URL
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            cache = URL(fileURLWithPath: xdg)
        } else {
            cache = URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".cache")
        }
        return cache.appendingPathComponent("exemplar/all-MiniLM-L6-v2")
    }

    /// The folder to load: `explicit`, else `$EXEMPLAR_MODEL`, else the default folder.
    /// Throws `modelNotFound` (with the fetch command) when the chosen folder has no config.json.
    public static func locate(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(EncoderError) -> URL {
        let candidate: URL
        if let explicit, !explicit.isEmpty {
            candidate = URL(fileURLWithPath: explicit)
        } else if let env = environment["EXEMPLAR_MODEL"], !env.isEmpty {
            candidate = URL(fileURLWithPath: env)
        } else {
            candidate = defaultFolder(environment: environment)
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), isDir.boolValue else {
            throw .modelNotFound(searched: [candidate.path], fetchCommand: fetchCommand)
        }
        return candidate
    }
}
