import ExemplarTestSupport
import Foundation
import Testing

/// Graceful shutdown: a request already started is answered; new connections are refused.
@Suite(.timeLimit(.minutes(2))) struct ShutdownTests {
    /// Synchronous, with `stop()` on a thread of its own: `stop()` blocks for up to its grace
    /// period, and on a loaded two-core machine a test waiting on the cooperative pool (one
    /// thread per core) could sleep through that grace and find its connection closed.
    @Test func stopAnswersTheRequestInFlight() throws {
        let s = try TestServer()
        defer { TemporaryFolder.remove(s.root) }
        let body = #"{"input": "finished after stop began"}"#
        let connection = try RawConnection(port: s.server.port)
        // Headers, then half the body once the server has taken the request (its 100 Continue
        // says so, however loaded the machine): the request is in flight.
        connection.send("POST /v1/embeddings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
        let interim = connection.read(until: "\r\n\r\n")
        #expect(interim.hasPrefix("HTTP/1.1 100"), "\(interim)")
        connection.send(String(body.prefix(10)))
        Thread.sleep(forTimeInterval: 0.1)
        let stopped = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            s.server.stop()
            stopped.signal()
        }
        Thread.sleep(forTimeInterval: 0.2)
        // New connections are refused while the old request finishes.
        #expect(throws: (any Error).self) { _ = try RawConnection(port: s.server.port) }
        connection.send(String(body.dropFirst(10)))
        let reply = connection.readAll()
        stopped.wait()
        #expect(reply.hasPrefix("HTTP/1.1 200"), "\(reply.prefix(200))")
        #expect(reply.contains("\"object\":\"embedding\""))
    }
}
