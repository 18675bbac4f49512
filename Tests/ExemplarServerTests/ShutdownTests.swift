import ExemplarTestSupport
import Foundation
import Testing

/// Graceful shutdown: a request already started is answered; new connections are refused.
@Suite(.timeLimit(.minutes(2))) struct ShutdownTests {
    @Test func stopAnswersTheRequestInFlight() async throws {
        let s = try TestServer()
        defer { TemporaryFolder.remove(s.root) }
        let body = #"{"input": "finished after stop began"}"#
        let connection = try RawConnection(port: s.server.port)
        // Headers and half the body: the request is in flight.
        connection.send("POST /v1/embeddings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + String(body.prefix(10)))
        try await Task.sleep(for: .milliseconds(100))
        let stopped = Task.detached { s.server.stop() }
        try await Task.sleep(for: .milliseconds(200))
        // New connections are refused while the old request finishes.
        #expect(throws: (any Error).self) { _ = try RawConnection(port: s.server.port) }
        connection.send(String(body.dropFirst(10)))
        let reply = connection.readAll()
        await stopped.value
        #expect(reply.hasPrefix("HTTP/1.1 200"), "\(reply.prefix(200))")
        #expect(reply.contains("\"object\":\"embedding\""))
    }
}
