import CMicroHTTPD
import Foundation
import Synchronization

/// A libmicrohttpd daemon serving one handler: the only file that calls `MHD_*` functions.
///
/// Threading (libmicrohttpd's rules): the daemon runs with an internal polling thread and one
/// thread per connection, so the access handler runs on that connection's thread and may block
/// (waiting for the inference worker) without holding up other connections. A connection that
/// dribbles its headers holds one thread, bounded by the per-address limit (MHD closes the ones
/// past it at accept) and the connection cap (past which requests are answered 503).
/// (libmicrohttpd's epoll mode with suspend/resume for the waits was tried: with 0.9.75, about
/// one in seven concurrent clients that half-close their side after the request got the
/// connection closed with no answer, so it is not used.) For one
/// request, MHD calls the URI log, the access handler and the completion callback on the same
/// connection thread, never concurrently, so a request's `RequestState` is touched by one
/// thread at a time. `MHD_quiesce_daemon` and `MHD_stop_daemon` are called once, from the
/// thread that stops the server (guarded by `stopped`). The daemon pointer is written once in
/// `init` and only read after, hence `@unchecked Sendable`.
final class HTTPDaemon: @unchecked Sendable {
    /// The daemon's limits (see `ServerConfiguration` for what each means to a user).
    struct Limits: Sendable {
        var maxBody: Int
        /// Seconds of inactivity after which MHD closes a connection.
        var idleTimeout: Int
        /// Seconds from the request line to the end of the headers (408 after).
        var headerDeadline: Double
        /// Seconds from the end of the headers to the end of the body (connection closed after).
        var bodyDeadline: Double
        /// Open connections past which requests are answered 503.
        var connectionLimit: Int
        /// Most connections from one address (MHD closes the ones past it); 0: no limit.
        var perAddressLimit: Int
    }

    /// What the C callbacks get through their `cls` pointer.
    final class Context: Sendable {
        let handler: @Sendable (HTTPRequest) -> HTTPResponse
        let limits: Limits
        /// Requests whose headers have arrived and that are not yet completed (for graceful shutdown).
        let inFlight = Atomic<Int>(0)
        /// Connections open now.
        let connections = Atomic<Int>(0)

        init(handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse, limits: Limits) {
            self.handler = handler
            self.limits = limits
        }
    }

    /// Per-request state between handler calls; owned by one connection thread (see above).
    final class RequestState {
        let started = Date()
        var headersDone: Date?
        var counted = false
        var body: [UInt8] = []
        var tooLarge = false
    }

    private let daemon: OpaquePointer
    private let context: Unmanaged<Context>
    private let stopped = Atomic<Bool>(false)
    /// The port the daemon listens on.
    let port: UInt16

    /// Starts listening on `host:port` (port 0: the system picks one, see `port`).
    init(host: String, port: UInt16, limits: Limits, handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) throws(ServerError) {
        let context = Unmanaged.passRetained(Context(handler: handler, limits: limits))
        let flags = MHD_USE_THREAD_PER_CONNECTION.rawValue | MHD_USE_INTERNAL_POLLING_THREAD.rawValue
            | MHD_USE_ITC.rawValue | MHD_USE_ERROR_LOG.rawValue
        // MHD's own limit sits above ours, so that requests past `connectionLimit` get a 503 rather than a closed socket.
        let c = exemplar_mhd_limits(
            connection_timeout: UInt32(clamping: limits.idleTimeout), connection_limit: UInt32(clamping: limits.connectionLimit + 64),
            per_ip_limit: UInt32(clamping: limits.perAddressLimit), memory_limit: 64 * 1024)
        guard let daemon = exemplar_mhd_start(flags, port, host, accessHandler, context.toOpaque(), completedHandler,
                                              uriLogHandler, connectionHandler, unescapeHandler, c) else {
            context.release()
            throw .startFailed(host: host, port: Int(port))
        }
        self.daemon = daemon
        self.context = context
        self.port = exemplar_mhd_bound_port(daemon)
    }

    /// Requests in progress.
    var inFlight: Int { context.takeUnretainedValue().inFlight.load(ordering: .acquiring) }

    /// Stops accepting connections, waits up to `grace` seconds for in-flight requests to be
    /// answered, then stops the daemon (closing idle keep-alive connections).
    func stop(grace: Double) {
        // Only the first call stops: MHD_stop_daemon must run once.
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        // Quiescing hands the listening socket back to us. Shutting it down refuses new
        // connections now; it is closed only after MHD_stop_daemon, as MHD asks for threaded
        // daemons: closed earlier, its descriptor number could be reused (by another server's
        // listening socket, in the same process) while MHD's polling thread still accepts on it.
        let listener = MHD_quiesce_daemon(daemon)
        if listener >= 0 { shutdown(listener, Int32(SHUT_RDWR)) }
        let deadline = Date().addingTimeInterval(grace)
        while inFlight > 0 && Date() < deadline { usleep(5_000) }
        MHD_stop_daemon(daemon)
        if listener >= 0 { close(listener) }
        context.release()
    }
}

/// MHD_OPTION_URI_LOG_CALLBACK: the request line has arrived; its state starts here (the
/// returned pointer is the request's first `*req_cls`), so the header deadline counts from now.
private let uriLogHandler: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, OpaquePointer?) -> UnsafeMutableRawPointer? = { _, _, _ in
    Unmanaged.passRetained(HTTPDaemon.RequestState()).toOpaque()
}

/// MHD_OPTION_NOTIFY_CONNECTION: counts open connections.
private let connectionHandler: MHD_NotifyConnectionCallback = { cls, _, _, toe in
    guard let cls else { return }
    let context = Unmanaged<HTTPDaemon.Context>.fromOpaque(cls).takeUnretainedValue()
    if toe == .CONNECTION_NOTIFY_STARTED {
        context.connections.wrappingAdd(1, ordering: .relaxed)
    } else {
        context.connections.wrappingSubtract(1, ordering: .relaxed)
    }
}

/// MHD_OPTION_UNESCAPE_CALLBACK: leaves the URL as sent; `Route` decodes each path segment
/// itself (so an example id written `%31` is not taken for `1`).
private let unescapeHandler: @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafeMutablePointer<CChar>?) -> Int = { _, _, s in
    guard let s else { return 0 }
    return strlen(s)
}

/// Counts the request's Content-Length headers and whether they disagree (MHD_get_connection_values' iterator).
private final class LengthHeaders {
    var values: Set<String> = []
    var count = 0
}

private let lengthIterator: MHD_KeyValueIterator = { cls, _, key, value in
    guard let cls, let key, String(cString: key).lowercased() == "content-length" else { return .YES }
    let seen = Unmanaged<LengthHeaders>.fromOpaque(cls).takeUnretainedValue()
    seen.count += 1
    seen.values.insert(value.map { String(cString: $0).trimmingCharacters(in: .whitespaces) } ?? "")
    return .YES
}

/// MHD's access handler: collects the body over several calls, answers on the last one.
private let accessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, uploadData, uploadSize, reqCls in
    guard let cls, let connection, let reqCls, let uploadSize else { return .NO }
    let context = Unmanaged<HTTPDaemon.Context>.fromOpaque(cls).takeUnretainedValue()
    let limits = context.limits
    if reqCls.pointee == nil { reqCls.pointee = Unmanaged.passRetained(HTTPDaemon.RequestState()).toOpaque() }
    let state = Unmanaged<HTTPDaemon.RequestState>.fromOpaque(reqCls.pointee!).takeUnretainedValue()
    let methodName = method.map { String(cString: $0) } ?? ""
    let path = url.map { String(cString: $0) } ?? "/"

    // First call for a request: headers only. Check them; answer later (keeps keep-alive).
    if state.headersDone == nil {
        let now = Date()
        state.headersDone = now
        state.counted = true
        context.inFlight.wrappingAdd(1, ordering: .relaxed)
        if now.timeIntervalSince(state.started) > limits.headerDeadline {
            return queue(errorResponse(ServerError.requestTimeout(phase: "headers", seconds: limits.headerDeadline)), on: connection)
        }
        if context.connections.load(ordering: .relaxed) > limits.connectionLimit {
            return queue(errorResponse(ServerError.overloaded(connections: limits.connectionLimit)), on: connection)
        }
        let seen = LengthHeaders()
        let seenRef = Unmanaged.passRetained(seen)
        _ = MHD_get_connection_values(connection, .HEADER_KIND, lengthIterator, seenRef.toOpaque())
        seenRef.release()
        if seen.values.count > 1 {
            return queue(errorResponse(ServerError.badRequest("conflicting Content-Length headers (\(seen.values.sorted().joined(separator: ", "))); send one")), on: connection)
        }
        // A declared body over the limit is read and dropped, then answered 413 (answering before
        // reading it would reset the connection under the client's upload). One far over the
        // limit is answered at once and the connection closed.
        if let value = seen.values.first, let length = Int(value), length > limits.maxBody {
            state.tooLarge = true
            if length > max(16 << 20, limits.maxBody * 4) {
                return queue(context.handler(HTTPRequest(method: methodName, path: path, bodyTooLarge: true)), on: connection)
            }
        }
        return .YES
    }
    if uploadSize.pointee > 0 {
        if Date().timeIntervalSince(state.headersDone!) > limits.bodyDeadline { return .NO }  // closes the connection
        let n = uploadSize.pointee
        if !state.tooLarge, state.body.count + n <= limits.maxBody, let uploadData {
            uploadData.withMemoryRebound(to: UInt8.self, capacity: n) { state.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) }
        } else {
            state.tooLarge = true
            state.body = []
        }
        uploadSize.pointee = 0
        return .YES
    }
    var headers: [String: String] = [:]
    for name in ["authorization", "content-type"] {
        if let value = MHD_lookup_connection_value(connection, .HEADER_KIND, name) {
            headers[name] = String(cString: value)
        }
    }
    let request = HTTPRequest(method: methodName, path: path, headers: headers, body: state.body, bodyTooLarge: state.tooLarge)
    state.body = []
    return queue(context.handler(request), on: connection)
}

/// Copies `response` into an MHD response and queues it.
private func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
    var body = response.body
    let mhdResponse = body.withUnsafeMutableBytes { bytes in
        MHD_create_response_from_buffer(bytes.count, bytes.baseAddress, .RESPMEM_MUST_COPY)
    }
    guard let mhdResponse else { return .NO }
    defer { MHD_destroy_response(mhdResponse) }
    for (name, value) in response.headers {
        _ = MHD_add_response_header(mhdResponse, name, value)
    }
    // Every answer reflects the served state now (an index rebuilt, an example added): a client
    // cache (URLSession's URLCache caches GETs) must not answer for the server.
    if !response.headers.contains(where: { $0.0.lowercased() == "cache-control" }) {
        _ = MHD_add_response_header(mhdResponse, "Cache-Control", "no-store")
    }
    return MHD_queue_response(connection, UInt32(response.status), mhdResponse)
}

/// MHD_OPTION_NOTIFY_COMPLETED: releases the request's state, whatever way it ended.
private let completedHandler: MHD_RequestCompletedCallback = { cls, _, reqCls, _ in
    guard let cls, let reqCls, let raw = reqCls.pointee else { return }
    let state = Unmanaged<HTTPDaemon.RequestState>.fromOpaque(raw)
    if state.takeUnretainedValue().counted {
        Unmanaged<HTTPDaemon.Context>.fromOpaque(cls).takeUnretainedValue().inFlight.wrappingSubtract(1, ordering: .relaxed)
    }
    state.release()
    reqCls.pointee = nil
}
