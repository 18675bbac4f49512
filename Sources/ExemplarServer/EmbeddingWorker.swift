import ExemplarJSON
import Dispatch
import ExemplarEncoder
import Foundation
import Synchronization

/// The inference threads, one per core: they merge the token sequences of concurrent
/// requests into batches of up to `maxBatch` texts and run them.
///
/// A request thread tokenizes its texts (in parallel with other requests), submits them and
/// blocks until its vectors are ready. A free inference thread takes the first waiting job and,
/// while the batch is not full and other requests are still tokenizing (about to submit), waits
/// up to `batchWait` for them; then it runs whole jobs together, sorted by length, on itself and
/// on as many of the other inference threads' cores as are idle (sub-batches of at most 32).
/// Under load every core runs a batch of its own, as `exemplar embed` runs its batches, with
/// no core waiting for another's sub-batch; a lone request never waits and gets every core.
///
/// Threading: `jobs`, `busy`, `stopped` and `finished` are guarded by `condition` (an
/// `NSCondition`); `SentenceEncoder` is an immutable value whose `encode` may run on several
/// threads at once (as `exemplar embed` runs it). Hence `@unchecked Sendable`.
final class EmbeddingWorker: @unchecked Sendable {
    /// A submitted request and the slot its result goes into.
    final class Job: @unchecked Sendable {
        let ids: [[Int32]]
        /// The request's prompt length in tokens (for pooling that leaves the prompt out) and dimension.
        let promptTokens: Int
        let dimension: Int
        private let done = DispatchSemaphore(value: 0)
        // Written once by the worker before `done` is signalled, read after by the waiter.
        private var vectors: [[Float]] = []

        init(ids: [[Int32]], promptTokens: Int, dimension: Int) {
            self.ids = ids
            self.promptTokens = promptTokens
            self.dimension = dimension
        }

        func finish(_ result: [[Float]]) {
            vectors = result
            done.signal()
        }

        func wait() -> [[Float]] {
            done.wait()
            return vectors
        }
    }

    /// The served model with its default settings (requests bring their own).
    let encoder: SentenceEncoder
    /// The model's defaults: its default prompt and dimension.
    let defaultSettings: EmbeddingSettings
    /// `encoder` with no prompt at full dimension: what a merged batch runs through.
    private let full: SentenceEncoder
    let maxBatch: Int
    let batchWait: Double
    let metrics: Metrics
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var stopped = false
    /// Inference threads that have ended, and those running a batch now.
    private var finished = 0
    private var busy = 0
    private let workers: Int
    /// Requests between the start of `embed` and their job being queued (tokenizing).
    private let arriving = Atomic<Int>(0)

    /// Starts `workers` inference threads (default: one per core).
    init(encoder: SentenceEncoder, maxBatch: Int, batchWait: Double, metrics: Metrics,
         workers: Int = SentenceEncoder.defaultThreads) {
        self.encoder = encoder
        self.defaultSettings = encoder.settings
        self.full = encoder.with(EmbeddingSettings(dimension: encoder.moduleDimension))
        self.maxBatch = max(1, maxBatch)
        self.batchWait = batchWait
        self.metrics = metrics
        self.workers = max(1, workers)
        for i in 0..<self.workers {
            let thread = Thread { [self] in run() }
            thread.name = "exemplar-inference-\(i)"
            thread.start()
        }
    }

    /// Token ids of `texts` as the model sees them. Call `embed` after (or `cancel` when not):
    /// the worker waits a little for a request that is tokenizing.
    func tokenize(_ texts: [String], settings: EmbeddingSettings) -> [[Int32]] {
        arriving.wrappingAdd(1, ordering: .relaxed)
        return texts.map { encoder.tokenizer.encode(settings.apply(to: $0)) }
    }

    /// A tokenized request that will not be embedded.
    func cancel() {
        arriving.wrappingSubtract(1, ordering: .relaxed)
    }

    /// The model's maximum sequence length in tokens, `[CLS]` and `[SEP]` included.
    var maxLength: Int { encoder.tokenizer.maxLength }

    /// Vectors for already tokenized texts, in order; blocks until the worker has run them. A
    /// request of more than `maxBatch` texts is queued as several jobs (other requests' jobs can
    /// join the batches in between).
    func embed(_ ids: [[Int32]], settings: EmbeddingSettings) throws -> [[Float]] {
        let chunks = stride(from: 0, to: ids.count, by: maxBatch).map {
            Job(ids: Array(ids[$0..<min(ids.count, $0 + maxBatch)]), promptTokens: settings.promptTokens, dimension: settings.dimension)
        }
        condition.lock()
        arriving.wrappingSubtract(1, ordering: .relaxed)
        if ids.isEmpty {
            condition.unlock()
            return []
        }
        guard !stopped else {
            condition.unlock()
            throw ServerError.shuttingDown
        }
        jobs += chunks
        condition.signal()
        condition.unlock()
        return chunks.flatMap { $0.wait() }
    }

    /// Finishes the jobs already submitted, refuses new ones, and ends the threads.
    func stop() {
        condition.lock()
        defer { condition.unlock() }
        stopped = true
        condition.broadcast()
        while finished < workers { condition.wait() }
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty && stopped {
                finished += 1
                condition.broadcast()
                condition.unlock()
                return
            }
            // A short wait lets concurrent requests join this batch.
            let deadline = Date().addingTimeInterval(batchWait)
            while jobs.reduce(0, { $0 + $1.ids.count }) < maxBatch && !stopped && arriving.load(ordering: .relaxed) > 0 {
                if !condition.wait(until: deadline) { break }
            }
            var batch: [Job] = []
            var count = 0
            while let next = jobs.first, batch.isEmpty || count + next.ids.count <= maxBatch {
                batch.append(jobs.removeFirst())
                count += next.ids.count
            }
            busy += 1
            // With jobs still waiting every inference thread will be busy: one core for this
            // batch. Otherwise this thread's core and those of the threads that are idle now.
            let threads = jobs.isEmpty ? workers - busy + 1 : 1
            condition.unlock()
            run(batch, threads: threads)
            condition.lock()
            busy -= 1
            condition.unlock()
        }
    }

    private func run(_ batch: [Job], threads: Int) {
        let all = batch.flatMap(\.ids)
        // Split so each core given runs a share of the batch with single-threaded BLAS, as the
        // CLI does (per-head attention gains nothing from BLAS threads); at most 32 per sub-batch.
        let size = min(32, max(1, (all.count + threads - 1) / threads))
        let promptTokens = batch.flatMap { job in [Int](repeating: job.promptTokens, count: job.ids.count) }
        let embeddings = full.encode(tokenized: all, promptTokens: promptTokens, batchSize: size, threads: threads, interleaved: true)
        let vectors = (0..<all.count).map { Array(embeddings[$0]) }
        metrics.recordBatch(texts: all.count, tokens: all.reduce(0) { $0 + $1.count })
        var offset = 0
        for job in batch {
            job.finish(vectors[offset..<(offset + job.ids.count)].map { full.truncated($0, to: job.dimension) })
            offset += job.ids.count
        }
    }
}
