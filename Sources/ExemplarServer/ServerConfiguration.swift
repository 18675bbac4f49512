import Foundation

/// How `Server` runs: where it listens, what it serves, its limits.
public struct ServerConfiguration: Sendable {
    /// IP address to bind (IPv4 or IPv6 literal); loopback by default.
    public var host = "127.0.0.1"
    /// TCP port; 0 lets the system choose (read it back from `Server.port`).
    public var port: UInt16 = 8080
    /// Built index folders to serve; each is named by its folder's last path component.
    public var indexFolders: [URL] = []
    /// The model folder (sentence-transformers layout); every index must have been built with it.
    public var modelFolder: URL
    /// When set, every route but `/health` needs `Authorization: Bearer <token>`.
    public var token: String?
    /// Most inputs in one request, and most texts the worker runs in one batch.
    public var maxBatch = 64
    /// Largest request body in bytes (413 above it).
    public var maxBody = 2 << 20
    /// How long the inference worker waits for more requests to join a batch, in seconds.
    public var batchWait = 0.002
    /// Seconds of inactivity after which a connection is closed (MHD_OPTION_CONNECTION_TIMEOUT).
    public var connectionTimeout = 30
    /// Most simultaneous connections (each has its own thread).
    public var connectionLimit = 256
    /// On shutdown, how long in-flight requests get to finish, in seconds.
    public var shutdownGrace = 10.0
    /// How often, in seconds, each served folder is checked for a new build (another process
    /// ran `exemplar build` on it), which is then loaded and served; 0 turns checking off.
    public var reloadInterval = 2.0
    /// Write one line per request to standard error: time, method, path, status, milliseconds.
    public var accessLog = false

    /// The defaults above, serving the model in `modelFolder`.
    public init(modelFolder: URL) {
        self.modelFolder = modelFolder
    }
}
