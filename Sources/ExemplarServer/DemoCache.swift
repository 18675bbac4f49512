import ExemplarDemos
import Synchronization

/// The last few `IndexDemos` built, by index state and request: building one normalises every
/// support vector, and a training loop asks again and again with the same options.
///
/// The key holds the index's manifest fingerprint, which every online edit changes, so a
/// cached selector never outlives the snapshot it was built from. Each entry holds a copy of
/// its support vectors, hence the small capacity.
final class DemoCache: Sendable {
    /// What a selector depends on: the index, its state, and the request's options.
    struct Key: Hashable, Sendable {
        let index: String
        let fingerprint: String
        let request: DemoRequest
    }

    private let capacity: Int
    private let entries = Mutex<[(key: Key, demos: IndexDemos)]>([])

    init(capacity: Int = 4) {
        self.capacity = capacity
    }

    /// The cached value for `key`, else `make()`'s (then cached, evicting the least recently used).
    func demos(for key: Key, make: () throws -> IndexDemos) throws -> IndexDemos {
        let hit = entries.withLock { list -> IndexDemos? in
            guard let i = list.firstIndex(where: { $0.key == key }) else { return nil }
            let entry = list.remove(at: i)
            list.append(entry)
            return entry.demos
        }
        if let hit { return hit }
        let made = try make()
        entries.withLock { list in
            list.removeAll { $0.key == key }
            list.append((key, made))
            if list.count > capacity { list.removeFirst(list.count - capacity) }
        }
        return made
    }
}
