import Foundation
import Testing

/// Graceful shutdown: requests already being answered finish; new connections are refused.
@Suite struct ShutdownTests {
    @Test func stopFinishesInFlightRequests() async throws {
        // A long batch wait holds the requests in the inference worker while stop begins.
        let s = try TestServer(configure: { $0.batchWait = 0.4; $0.maxBatch = 64 })
        defer { try? FileManager.default.removeItem(at: s.root) }
        async let replies = withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<8 {
                group.addTask { try await s.post("/v1/embeddings", ["input": "request \(i)"]).status }
            }
            var statuses: [Int] = []
            for try await status in group { statuses.append(status) }
            return statuses
        }
        try await Task.sleep(for: .milliseconds(150))
        let stopped = Task.detached { s.server.stop() }
        let statuses = try await replies
        await stopped.value
        #expect(statuses == Array(repeating: 200, count: 8))
        await #expect(throws: (any Error).self) { try await s.send("GET", "/health") }
    }
}
