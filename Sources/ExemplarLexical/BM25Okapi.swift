/// Okapi BM25 as rank_bm25's `BM25Okapi` computes it (what OpenICL's BM25Retriever calls),
/// in the same float64 operations and order, so scores agree to the last bit or nearly:
///
/// - `idf(t) = log(N − df + 0.5) − log(df + 0.5)`; terms with a negative idf get
///   `epsilon × average idf` instead (the average over every term, before the floor);
/// - `score(d, q) = Σ over query tokens t, in order and with repeats, of
///   idf(t) · tf · (k1 + 1) / (tf + k1 · (1 − b + b · |d| / avgdl))`.
///
/// The corpus is any subset of a `LexicalIndex`'s documents (a support split), in the order
/// given; idf is summed in first-appearance order within it, ties in term-id order.
public struct BM25Okapi: Sendable {
    public let k1: Double
    public let b: Double
    public let epsilon: Double
    /// The corpus: document ids of the lexical index, in corpus order.
    public let documents: [UInt32]
    /// Mean document length in tokens.
    public let averageLength: Double
    /// `epsilon` × the mean idf: what a negative idf becomes.
    public let idfFloor: Double
    /// Term → idf (after the floor) and postings as (corpus position, frequency).
    let entries: [String: (idf: Double, postings: [(position: Int32, frequency: Double)])]
    /// Per corpus position: `k1 · (1 − b + b · |d| / avgdl)`.
    let lengthNorm: [Double]

    /// rank_bm25's defaults: k1 1.5, b 0.75, epsilon 0.25.
    public init(index: LexicalIndex, documents: [UInt32], k1: Double = 1.5, b: Double = 0.75, epsilon: Double = 0.25) {
        self.k1 = k1
        self.b = b
        self.epsilon = epsilon
        self.documents = documents
        let n = documents.count
        var positionOf = [Int32](repeating: -1, count: index.documentCount)
        for (position, doc) in documents.enumerated() where Int(doc) < positionOf.count { positionOf[Int(doc)] = Int32(position) }
        var lengths = [Int](repeating: 0, count: n)
        var local: [(term: Int, first: Int32, postings: [(position: Int32, frequency: Double)])] = []
        for (term, list) in index.postings.enumerated() {
            var mine: [(position: Int32, frequency: Double)] = []
            var first = Int32.max
            for p in list where Int(p.document) < positionOf.count {
                let position = positionOf[Int(p.document)]
                guard position >= 0 else { continue }
                mine.append((position, Double(p.frequency)))
                lengths[Int(position)] += Int(p.frequency)
                first = min(first, position)
            }
            if !mine.isEmpty {
                mine.sort { $0.position < $1.position }
                local.append((term, first, mine))
            }
        }
        // rank_bm25's dict order: first appearance in the corpus.
        local.sort { $0.first != $1.first ? $0.first < $1.first : $0.term < $1.term }
        let total = lengths.reduce(0, +)
        let avgdl = n > 0 ? Double(total) / Double(n) : 0
        averageLength = avgdl
        lengthNorm = lengths.map { k1 * (1 - b + b * Double($0) / avgdl) }
        var idfs: [Double] = []
        idfs.reserveCapacity(local.count)
        var idfSum = 0.0
        for entry in local {
            let df = Double(entry.postings.count)
            let idf = log(Double(n) - df + 0.5) - log(df + 0.5)
            idfs.append(idf)
            idfSum += idf
        }
        let floor = local.isEmpty ? 0 : epsilon * (idfSum / Double(local.count))
        idfFloor = floor
        var entries: [String: (idf: Double, postings: [(position: Int32, frequency: Double)])] = [:]
        entries.reserveCapacity(local.count)
        for (i, entry) in local.enumerated() {
            entries[index.terms[entry.term]] = (idfs[i] < 0 ? floor : idfs[i], entry.postings)
        }
        self.entries = entries
    }

    /// A corpus of token lists, indexed on the spot (ids 0..<n).
    public init(corpus: [[String]], k1: Double = 1.5, b: Double = 0.75, epsilon: Double = 0.25) {
        self.init(index: LexicalIndex(documents: corpus), documents: (0..<corpus.count).map { UInt32($0) },
                  k1: k1, b: b, epsilon: epsilon)
    }

    /// Number of documents in the corpus.
    public var count: Int { documents.count }

    /// The idf of `term` (after the floor); nil when no document has it.
    public func idf(_ term: String) -> Double? { entries[term]?.idf }

    /// `get_scores(query)`: one score per corpus position.
    public func scores(_ query: [String]) -> [Double] {
        var scores = [Double](repeating: 0, count: documents.count)
        let kPlus1 = k1 + 1
        scores.withUnsafeMutableBufferPointer { s in
            lengthNorm.withUnsafeBufferPointer { norm in
                for token in query {
                    guard let entry = entries[token], entry.idf != 0 else { continue }
                    let idf = entry.idf
                    for (position, tf) in entry.postings {
                        let p = Int(position)
                        s[p] += idf * (tf * kPlus1 / (tf + norm[p]))
                    }
                }
            }
        }
        return scores
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension BM25Okapi {
    /// The hybrid score of `exemplar query --mode hybrid` and the bm25 policy's `bm25_weight`:
    /// `weight · BM25 min-max scaled to [0, 1] over the scored documents (all equal: 0) +
    /// (1 − weight) · cosine(position)`, cosine taken as is.
    public static func hybrid(_ lexical: [Double], weight: Double, cosine: (Int) -> Double) -> [Double] {
        let lo = lexical.min() ?? 0, hi = lexical.max() ?? 0
        return lexical.indices.map { position in
            let scaled = hi > lo ? (lexical[position] - lo) / (hi - lo) : 0
            return weight * scaled + (1 - weight) * cosine(position)
        }
    }
}
