import ExemplarIndex
import Foundation
import Synchronization

/// Checks served index folders for new builds every `interval` seconds on a thread of its own
/// (a POSIX thread: a dispatch timer's handler would wait for a pool thread), until `stop`. A failure is logged once per index until it changes; a folder that cannot be read
/// now is tried again at the next check.
final class Reloader: Sendable {
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)

    /// `reloaded` runs on a thread of its own after each index that took a new build.
    init(_ served: [OnlineIndex], every interval: Double, log: Bool, reloaded: @escaping @Sendable (OnlineIndex) -> Void) {
        let wake = self.wake, finished = self.finished
        let thread = Thread {
            var failures: [String: String] = [:]
            while wake.wait(timeout: .now() + interval) == .timedOut {
                for index in served {
                    do {
                        if try index.reloadIfRebuilt() {
                            if log {
                                FileHandle.standardError.write(Data("exemplar: \(index.folder.relativePath) was rebuilt; serving the new build\n".utf8))
                            }
                            Thread.detachNewThread { reloaded(index) }
                        }
                        failures[index.folder.path] = nil
                    } catch {
                        let message = "\(error)"
                        if failures.updateValue(message, forKey: index.folder.path) != message {
                            FileHandle.standardError.write(Data("exemplar: cannot load the new build of \(index.folder.relativePath) (trying again every \(interval) s): \(message)\n".utf8))
                        }
                    }
                }
            }
            finished.signal()
        }
        thread.name = "exemplar.reload"
        thread.start()
    }

    /// Ends the loop and waits for a check in progress to finish. Later calls do nothing.
    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        wake.signal()
        finished.wait()
    }
}
