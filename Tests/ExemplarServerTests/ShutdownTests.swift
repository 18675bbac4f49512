#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation
import Testing

/// Graceful shutdown: a request already started is answered; new connections are refused.
@Suite struct ShutdownTests {
    /// A blocking loopback TCP connection (the test needs to send a request in two parts).
    struct RawConnection {
        let fd: Int32

        init(port: Int) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard rc == 0 else { throw POSIXError(.ECONNREFUSED) }
        }

        func send(_ text: String) {
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        }

        /// Everything the server sends until it closes the connection.
        func readAll() -> String {
            var out: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { break }
                out += buffer[0..<n]
            }
            close(fd)
            return String(decoding: out, as: UTF8.self)
        }
    }

    @Test func stopAnswersTheRequestInFlight() async throws {
        let s = try TestServer()
        defer { try? FileManager.default.removeItem(at: s.root) }
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
