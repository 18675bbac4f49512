import Foundation
import Synchronization

/// A progress line on stderr (count, rate, ETA), drawn only when stderr is a terminal.
final class ProgressLine: Sendable {
    private struct State {
        var lastDraw: Double = 0
        var drawn = false
    }

    private let label: String
    private let total: Int
    private let start = Date()
    private let enabled: Bool
    private let state = Mutex(State())

    init(label: String, total: Int, minimumTotal: Int = 200) {
        self.label = label
        self.total = total
        self.enabled = isatty(STDERR_FILENO) == 1 && total >= minimumTotal
    }

    func update(_ done: Int) {
        guard enabled else { return }
        let elapsed = Date().timeIntervalSince(start)
        state.withLock { s in
            guard elapsed - s.lastDraw >= 0.2 || done == total else { return }
            s.lastDraw = elapsed
            s.drawn = true
            let rate = Double(done) / max(elapsed, 1e-9)
            let eta = rate > 0 ? Double(total - done) / rate : 0
            let line = String(format: "\r%@ %d/%d (%.1f/s, ETA %.0fs)   ", label, done, total, rate, eta)
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    /// Ends the line so later output starts on a fresh one.
    func finish() {
        state.withLock { s in
            if s.drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        }
    }
}
