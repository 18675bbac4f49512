import Foundation

/// A fixed set of threads running request handlers that may block (waiting for the inference
/// worker, an index edit), so the daemon's epoll threads never wait.
///
/// Threading: `work` and `stopping` are guarded by `condition` (an `NSCondition`); each job
/// runs on one pool thread. Hence `@unchecked Sendable`.
final class HandlerPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var work: [@Sendable () -> Void] = []
    private var stopping = false
    private var running = 0

    /// Starts `threads` threads.
    init(threads: Int) {
        for i in 0..<max(1, threads) {
            let thread = Thread { [self] in loop() }
            thread.name = "exemplar-handler-\(i)"
            thread.stackSize = 1 << 20
            running += 1
            thread.start()
        }
    }

    /// Runs `job` on a pool thread (in submission order as threads free up).
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        work.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets queued jobs finish, then ends the threads.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while work.isEmpty && !stopping { condition.wait() }
            if work.isEmpty {
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let job = work.removeFirst()
            condition.unlock()
            job()
        }
    }
}
