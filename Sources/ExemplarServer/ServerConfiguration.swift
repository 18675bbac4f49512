import Foundation

/// How `Server` runs: where it listens, what it serves, its limits.
public struct ServerConfiguration: Sendable {
    /// IP address to bind (IPv4 or IPv6 literal); loopback by default.
    public var host = "127.0.0.1"
    /// TCP port; 0 lets the system choose (read it back from `Server.port`).
    public var port: UInt16 = 8080
    /// Built index folders to serve; each is named by its folder's last path component.
    public var indexFolders: [URL] = []
    /// Target-LM tokenizers the demonstrations route may name (`tokenizer`), by name: a model
    /// folder's name, or the folder holding a tokenizer.json file. Loaded once, at start.
    public var tokenizerPaths: [URL] = []
    /// The model folder (sentence-transformers layout); every index must have been built with it.
    public var modelFolder: URL
    /// When set, every route but `/health` needs `Authorization: Bearer <token>`.
    public var token: String?
    /// Most texts the inference worker runs in one batch (a larger request runs as several).
    public var maxBatch = 64
    /// Most inputs in one request (texts, queries, examples, vectors, token lists): OpenAI's 2,048.
    public var maxClientBatch = 2048
    /// Largest request body in bytes (413 above it).
    public var maxBody = 2 << 20
    /// How long the inference worker waits for more requests to join a batch, in seconds.
    public var batchWait = 0.002
    /// Seconds of inactivity after which a connection is closed (MHD_OPTION_CONNECTION_TIMEOUT).
    public var connectionTimeout = 30
    /// Seconds a request may take from its first line to the end of its headers (408 after).
    public var headerDeadline = 10.0
    /// Seconds a request may take to send its body once its headers are in (the connection is closed after).
    public var bodyDeadline = 60.0
    /// Open connections past which requests are answered 503 (each connection has its own thread).
    public var connectionLimit = 1000
    /// Most connections from one client address (libmicrohttpd closes the ones past it); 0: no limit.
    public var perAddressLimit = 128
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
