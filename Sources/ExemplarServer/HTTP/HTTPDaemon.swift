import CMicroHTTPD
import Foundation
import Synchronization

/// A libmicrohttpd daemon serving one handler: the only file that calls `MHD_*` functions.
///
/// Threading (libmicrohttpd's rules): the daemon runs with an internal polling thread and one
/// thread per connection, so the access handler runs on that connection's thread and may block
/// (waiting for the inference worker) without holding up other connections. For one request,
/// MHD calls the handler (and then the completion callback) on the same connection thread,
/// never concurrently, so a request's `RequestState` is touched by one thread at a time.
/// `MHD_quiesce_daemon` and `MHD_stop_daemon` are called once, from the thread that stops the
/// server (guarded by `stopped`). The daemon pointer is written once in `init` and only read
/// after, hence `@unchecked Sendable`.
final class HTTPDaemon: @unchecked Sendable {
    /// What the C callbacks get through their `cls` pointer.
    final class Context: Sendable {
        let handler: @Sendable (HTTPRequest) -> HTTPResponse
        let maxBody: Int
        /// Requests started and not yet completed (for graceful shutdown).
        let inFlight = Atomic<Int>(0)

        init(handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse, maxBody: Int) {
            self.handler = handler
            self.maxBody = maxBody
        }
    }

    /// Per-request state between handler calls; owned by one connection thread (see above).
    final class RequestState {
        var body: [UInt8] = []
        var tooLarge = false
    }

    private let daemon: OpaquePointer
    private let context: Unmanaged<Context>
    private let stopped = Atomic<Bool>(false)
    /// The port the daemon listens on.
    let port: UInt16

    /// Starts listening on `host:port` (port 0: the system picks one, see `port`).
    init(host: String, port: UInt16, maxBody: Int, connectionTimeout: Int, connectionLimit: Int,
         handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) throws(ServerError) {
        let context = Unmanaged.passRetained(Context(handler: handler, maxBody: maxBody))
        let flags = MHD_USE_THREAD_PER_CONNECTION.rawValue | MHD_USE_INTERNAL_POLLING_THREAD.rawValue
            | MHD_USE_ITC.rawValue | MHD_USE_ERROR_LOG.rawValue
        guard let daemon = exemplar_mhd_start(
            flags, port, host, accessHandler, context.toOpaque(), completedHandler, context.toOpaque(),
            UInt32(clamping: connectionTimeout), UInt32(clamping: connectionLimit)) else {
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

/// MHD's access handler: collects the body over several calls, answers on the last one.
private let accessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, uploadData, uploadSize, reqCls in
    guard let cls, let connection, let reqCls, let uploadSize else { return .NO }
    let context = Unmanaged<HTTPDaemon.Context>.fromOpaque(cls).takeUnretainedValue()
    // First call for a request: headers only. Create its state; answer later (keeps keep-alive).
    guard let raw = reqCls.pointee else {
        // A declared body over the limit is refused before it is read (the connection then closes).
        if let value = MHD_lookup_connection_value(connection, .HEADER_KIND, "content-length"),
           let length = Int(String(cString: value)), length > context.maxBody {
            let request = HTTPRequest(method: method.map { String(cString: $0) } ?? "", path: url.map { String(cString: $0) } ?? "/",
                                      bodyTooLarge: true)
            return queue(context.handler(request), on: connection)
        }
        reqCls.pointee = Unmanaged.passRetained(HTTPDaemon.RequestState()).toOpaque()
        context.inFlight.wrappingAdd(1, ordering: .relaxed)
        return .YES
    }
    let state = Unmanaged<HTTPDaemon.RequestState>.fromOpaque(raw).takeUnretainedValue()
    if uploadSize.pointee > 0 {
        let n = uploadSize.pointee
        if !state.tooLarge, state.body.count + n <= context.maxBody, let uploadData {
            uploadData.withMemoryRebound(to: UInt8.self, capacity: n) { state.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) }
        } else {
            state.tooLarge = true
            state.body = []
        }
        uploadSize.pointee = 0
        return .YES
    }
    let methodName = method.map { String(cString: $0) } ?? ""
    let fullPath = url.map { String(cString: $0) } ?? "/"
    var headers: [String: String] = [:]
    for name in ["authorization", "content-type"] {
        if let value = MHD_lookup_connection_value(connection, .HEADER_KIND, name) {
            headers[name] = String(cString: value)
        }
    }
    let request = HTTPRequest(method: methodName, path: fullPath, headers: headers, body: state.body, bodyTooLarge: state.tooLarge)
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
    Unmanaged<HTTPDaemon.RequestState>.fromOpaque(raw).release()
    reqCls.pointee = nil
    Unmanaged<HTTPDaemon.Context>.fromOpaque(cls).takeUnretainedValue().inFlight.wrappingSubtract(1, ordering: .relaxed)
}
