import ExemplarJSON
import Dispatch
import ExemplarEncoder
import ExemplarDemos
import ExemplarIndex
import ExemplarStore
import Foundation
import Synchronization

/// Exemplar's HTTP service: embeddings (OpenAI and TEI shapes), index search, demonstration
/// selection and online example changes, over libmicrohttpd.
///
/// `start` loads the model, opens every index (each must have been built with that model),
/// starts the inference worker and listens. `stop` finishes in-flight requests and shuts down.
public final class Server: Sendable {
    /// The port the server listens on (the chosen one when configured with port 0).
    public let port: Int
    /// The names the indexes are served under, in order.
    public let indexNames: [String]
    /// The daemon and its service until `stop` (which drops them, closing the indexes' LMDB files).
    private let running: Mutex<(daemon: HTTPDaemon, service: Service)?>
    /// Checks the served folders for new builds every `reloadInterval` seconds, until `stop`.
    private let reloader: Reloader?

    /// Loads everything and starts listening.
    public static func start(_ configuration: ServerConfiguration) throws -> Server {
        let encoder = try SentenceEncoder(folder: configuration.modelFolder)
        let identity = try encoder.identity()
        let names = configuration.indexFolders.map { $0.standardizedFileURL.lastPathComponent }
        for (i, name) in names.enumerated() where names[..<i].contains(name) {
            throw ServerError.configuration("two indexes are named \"\(name)\" (an index is named by its folder's last component); rename one folder")
        }
        var indexes: [(name: String, index: OnlineIndex)] = []
        for (folder, name) in zip(configuration.indexFolders, names) {
            let index: OnlineIndex
            index = try OnlineIndex(folder: folder)
            let stored = index.snapshot.index.manifest.model
            guard stored.sameModel(as: identity) else {
                throw ServerError.configuration("\(folder.relativePath): index was built with model \(stored.summary), but the server runs \(identity.summary); pass --model for the index's model or rebuild it")
            }
            // Its prompt and dimension must be ones the model can give.
            _ = try IndexEmbedding.documentSettings(encoder, identity: identity, manifest: index.snapshot.index.manifest, path: folder.relativePath)
            indexes.append((name, index))
        }
        guard configuration.maxBatch >= 1, configuration.maxBody >= 1, configuration.maxClientBatch >= 1 else {
            throw ServerError.configuration("--max-batch, --max-client-batch and --max-body must be at least 1")
        }
        var tokenizers: [String: ModelTokenizer] = [:]
        for url in configuration.tokenizerPaths {
            let name = Self.tokenizerName(url)
            guard tokenizers[name] == nil else {
                throw ServerError.configuration("two --tokenizer paths are named \"\(name)\" (a tokenizer is named by its folder); rename one folder")
            }
            do { tokenizers[name] = try ModelTokenizer(folder: url) } catch {
                throw ServerError.configuration("--tokenizer \(url.relativePath): \(error)")
            }
        }
        let service = Service(configuration: configuration, encoder: encoder, identity: identity, indexes: indexes,
                              tokenizers: tokenizers, metrics: Metrics())
        let limits = HTTPDaemon.Limits(
            maxBody: configuration.maxBody, idleTimeout: configuration.connectionTimeout, headerDeadline: configuration.headerDeadline,
            bodyDeadline: configuration.bodyDeadline, connectionLimit: configuration.connectionLimit,
            perAddressLimit: configuration.perAddressLimit)
        let daemon = try HTTPDaemon(host: configuration.host, port: configuration.port, limits: limits, handler: service.handle)
        service.prepare()
        return Server(port: Int(daemon.port), indexNames: indexes.map(\.name), daemon: daemon, service: service,
                      reloading: indexes.map(\.index), every: configuration.reloadInterval, log: configuration.accessLog)
    }

    /// The name requests use for a `--tokenizer` path: the folder's name, or for a
    /// tokenizer.json file the name of the folder that holds it.
    public static func tokenizerName(_ url: URL) -> String {
        var isFolder: ObjCBool = false
        let folder = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) && !isFolder.boolValue
            ? url.deletingLastPathComponent() : url
        return folder.standardizedFileURL.lastPathComponent
    }

    private init(port: Int, indexNames: [String], daemon: HTTPDaemon, service: Service,
                 reloading served: [OnlineIndex], every interval: Double, log: Bool) {
        self.port = port
        self.indexNames = indexNames
        running = Mutex((daemon, service))
        reloader = interval > 0 && !served.isEmpty
            ? Reloader(served, every: interval, log: log) { index in service.warmLists(of: [index]) } : nil
    }

    /// Requests received and not yet answered (0 once stopped).
    public var requestsInFlight: Int { running.withLock { $0?.daemon.inFlight ?? 0 } }

    /// Stops accepting connections, lets in-flight requests finish (up to the configured grace
    /// period), then stops the daemon and the inference worker and closes the indexes. Later
    /// calls do nothing.
    public func stop() {
        reloader?.stop()
        guard let (daemon, service) = running.withLock({ value in
            defer { value = nil }
            return value
        }) else { return }
        daemon.stop(grace: service.configuration.shutdownGrace)
        service.waitUntilPrepared()
        service.worker.stop()
    }

    /// Blocks until SIGINT or SIGTERM, then stops gracefully. `onReady` runs once the signals
    /// are caught (say "serving" there: a SIGTERM right after it is a graceful stop, not a kill).
    public func runUntilSignalled(onReady: () -> Void = {}) {
        let done = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: DispatchQueue(label: "exemplar.signals"))
            source.setEventHandler { done.signal() }
            source.resume()
            sources.append(source)
        }
        onReady()
        done.wait()
        stop()
        sources.forEach { $0.cancel() }
    }
}
