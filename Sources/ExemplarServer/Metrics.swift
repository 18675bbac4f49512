import Foundation
import Synchronization

/// Counters and histograms for `GET /metrics`, in Prometheus' text format.
final class Metrics: Sendable {
    static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256]

    struct Histogram {
        var buckets: [Double]
        var counts: [Int]
        var sum = 0.0
        var count = 0

        init(buckets: [Double]) {
            self.buckets = buckets
            counts = [Int](repeating: 0, count: buckets.count)
        }

        mutating func observe(_ value: Double) {
            for (i, bound) in buckets.enumerated() where value <= bound { counts[i] += 1 }
            sum += value
            count += 1
        }

        func lines(_ name: String, labels: String) -> [String] {
            let sep = labels.isEmpty ? "" : labels + ","
            var out = zip(buckets, counts).map { "\(name)_bucket{\(sep)le=\"\(format($0))\"} \($1)" }
            out.append("\(name)_bucket{\(sep)le=\"+Inf\"} \(count)")
            out.append("\(name)_sum\(labels.isEmpty ? "" : "{\(labels)}") \(sum)")
            out.append("\(name)_count\(labels.isEmpty ? "" : "{\(labels)}") \(count)")
            return out
        }
    }

    struct State {
        var requests: [String: Int] = [:]          // "route\u{0}method\u{0}status" → count
        var latency: [String: Histogram] = [:]     // route → seconds
        var batches = Histogram(buckets: Metrics.batchBuckets)
        var texts = 0
        var tokens = 0
        var warm: (done: Bool, bytes: Int) = (false, 0)
    }

    private let state = Mutex(State())

    /// One answered request.
    func recordRequest(route: String, method: String, status: Int, seconds: Double) {
        state.withLock { s in
            s.requests["\(route)\u{0}\(method)\u{0}\(status)", default: 0] += 1
            s.latency[route, default: Histogram(buckets: Self.latencyBuckets)].observe(seconds)
        }
    }

    /// One inference batch of `texts` texts and `tokens` tokens.
    func recordBatch(texts: Int, tokens: Int) {
        state.withLock { s in
            s.batches.observe(Double(texts))
            s.texts += texts
            s.tokens += tokens
        }
    }

    /// `bytes` of approximate-search lists read into the page cache (at start or after a reload).
    func recordWarmedLists(bytes: Int) {
        state.withLock { $0.warm.bytes += bytes }
    }

    /// The start-up warm-up has finished.
    func recordWarmUpDone() {
        state.withLock { $0.warm.done = true }
    }

    /// The exposition text; `indexes` gives each loaded index's live examples and bytes on disk.
    func render(indexes: [(name: String, examples: Int, bytes: Int)]) -> String {
        let s = state.withLock { $0 }
        var lines: [String] = []
        lines += ["# HELP exemplar_http_requests_total HTTP requests answered, by route, method and status.",
                  "# TYPE exemplar_http_requests_total counter"]
        for key in s.requests.keys.sorted() {
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false)
            lines.append("exemplar_http_requests_total{route=\"\(escape(String(parts[0])))\",method=\"\(escape(String(parts[1])))\",status=\"\(parts[2])\"} \(s.requests[key]!)")
        }
        lines += ["# HELP exemplar_http_request_duration_seconds Time from the request's body to its response, by route.",
                  "# TYPE exemplar_http_request_duration_seconds histogram"]
        for route in s.latency.keys.sorted() {
            lines += s.latency[route]!.lines("exemplar_http_request_duration_seconds", labels: "route=\"\(escape(route))\"")
        }
        lines += ["# HELP exemplar_inference_batch_size Texts per inference batch (after merging requests).",
                  "# TYPE exemplar_inference_batch_size histogram"]
        lines += s.batches.lines("exemplar_inference_batch_size", labels: "")
        lines += ["# HELP exemplar_texts_embedded_total Texts run through the model.",
                  "# TYPE exemplar_texts_embedded_total counter", "exemplar_texts_embedded_total \(s.texts)",
                  "# HELP exemplar_tokens_embedded_total Tokens run through the model ([CLS] and [SEP] included).",
                  "# TYPE exemplar_tokens_embedded_total counter", "exemplar_tokens_embedded_total \(s.tokens)",
                  "# HELP exemplar_warm_up_done Whether the start-up warm-up (tokenizer tables, a first encoder pass, approximate-search lists read into the page cache) has finished: 0 or 1.",
                  "# TYPE exemplar_warm_up_done gauge", "exemplar_warm_up_done \(s.warm.done ? 1 : 0)",
                  "# HELP exemplar_warm_up_bytes_total Bytes of approximate-search lists read into the page cache, at start and after each reload of a new build.",
                  "# TYPE exemplar_warm_up_bytes_total counter", "exemplar_warm_up_bytes_total \(s.warm.bytes)",
                  "# HELP exemplar_index_examples Live examples in each loaded index.",
                  "# TYPE exemplar_index_examples gauge"]
        for index in indexes { lines.append("exemplar_index_examples{index=\"\(escape(index.name))\"} \(index.examples)") }
        lines += ["# HELP exemplar_index_size_bytes Size of each index's LMDB file.", "# TYPE exemplar_index_size_bytes gauge"]
        for index in indexes { lines.append("exemplar_index_size_bytes{index=\"\(escape(index.name))\"} \(index.bytes)") }
        return lines.joined(separator: "\n") + "\n"
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

private func format(_ d: Double) -> String {
    d == d.rounded() ? String(Int(d)) : String(d)
}
