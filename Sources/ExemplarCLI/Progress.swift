import Foundation
import Synchronization

/// A progress line on stderr (count, rate, ETA), drawn only when stderr is a terminal.
final class ProgressLine: Sendable {
    private struct State {
        var lastDraw: Double = 0
        var drawn = false
        var total: Int
    }

    private let label: String
    private let start = Date()
    private let enabled: Bool
    private let minimumTotal: Int
    private let state: Mutex<State>

    init(label: String, total: Int, minimumTotal: Int = 200) {
        self.label = label
        self.minimumTotal = minimumTotal
        self.state = Mutex(State(total: total))
        self.enabled = isatty(STDERR_FILENO) == 1
    }

    /// Reports `done` items; `total` replaces the total when the work turns out smaller.
    func update(_ done: Int, total newTotal: Int? = nil) {
        guard enabled else { return }
        let elapsed = Date().timeIntervalSince(start)
        state.withLock { s in
            if let newTotal { s.total = newTotal }
            let total = s.total
            guard total >= minimumTotal else { return }
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
