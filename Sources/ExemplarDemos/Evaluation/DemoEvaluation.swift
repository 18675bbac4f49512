import Dispatch
import ExemplarJSON
import Synchronization

/// What a policy's demonstrations give a set of labelled queries, without a language model:
/// how often they share the query's label, how well their labels vote, how alike they are and
/// how much of the support set they use. The use case behind `exemplar evaluate-demos`.
public struct DemoEvaluation: Sendable, Hashable {
    /// The policy's name.
    public var policy: String
    public var queries = 0
    /// Contexts (queries × samples).
    public var contexts = 0
    /// Demonstrations in all contexts.
    public var demonstrations = 0
    /// Of all chosen demonstrations, the fraction whose label (group) is the query's gold label.
    public var labelAgreement = 0.0
    /// Of all contexts, the fraction whose demonstrations' majority label is the gold label (ties:
    /// the larger summed similarity, then label order; an empty context votes for nothing).
    public var voteAccuracy = 0.0
    /// The mean over contexts of two or more demonstrations of their mean pairwise cosine
    /// similarity (lower is more diverse); nil when no context has two.
    public var diversity: Double?
    /// The fraction of the support set chosen at least once.
    public var coverage = 0.0
    /// The mean cosine similarity of a demonstration to its query.
    public var meanSimilarity = 0.0
    /// Wall-clock seconds of selection and scoring.
    public var seconds = 0.0

    /// Demonstrations per context.
    public var demonstrationsPerContext: Double { contexts == 0 ? 0 : Double(demonstrations) / Double(contexts) }

    /// Evaluates `demos` on `queries`, whose gold labels are `labels` (labels of the index's
    /// grouping), over `threads` workers. Results do not depend on the thread count except in the
    /// last bits of the sums.
    public static func evaluate(_ demos: IndexDemos, queries: [IndexDemos.Query], labels: [String], policy: String,
                                threads: Int = 1) throws -> DemoEvaluation {
        precondition(queries.count == labels.count)
        let start = DispatchTime.now().uptimeNanoseconds
        var groups: [Int] = []
        for label in labels { groups.append(try demos.grouping.group(of: label)) }
        let gold = groups
        let support = demos.selector.support
        let workers = max(1, min(threads, queries.count))
        let chunk = (queries.count + workers - 1) / max(workers, 1)
        IndexDemos.prepareConcurrentSelection()
        let parts = Mutex([Result<Tally, any Error>?](repeating: nil, count: workers))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let result = Result { () throws -> Tally in
                var tally = Tally(supportCount: support.count)
                for q in (w * chunk)..<min(queries.count, (w + 1) * chunk) {
                    for sample in try demos.select(queries[q]) {
                        let positions = sample.demonstrations.map { support.positionOfID[Int($0.record.id)]! }
                        tally.add(positions: positions, similarities: sample.demonstrations.map(\.similarity),
                                  gold: gold[q], groups: support.groups, groupCount: support.grouping.groupCount) { support.similarity($0, $1) }
                    }
                }
                return tally
            }
            parts.withLock { $0[w] = result }
        }
        var total = Tally(supportCount: support.count)
        for part in parts.withLock({ $0 }) { total.merge(try part!.get()) }
        var result = DemoEvaluation(policy: policy)
        result.queries = queries.count
        result.contexts = total.contexts
        result.demonstrations = total.demonstrations
        result.labelAgreement = total.demonstrations == 0 ? 0 : Double(total.agreeing) / Double(total.demonstrations)
        result.voteAccuracy = total.contexts == 0 ? 0 : Double(total.correctVotes) / Double(total.contexts)
        result.diversity = total.pairedContexts == 0 ? nil : total.pairwiseSum / Double(total.pairedContexts)
        result.coverage = support.count == 0 ? 0 : Double(total.used.filter { $0 }.count) / Double(support.count)
        result.meanSimilarity = total.demonstrations == 0 ? 0 : total.similaritySum / Double(total.demonstrations)
        result.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return result
    }

    /// `{"coverage", "demonstrations_per_context", "contexts", "diversity", "knn_vote_accuracy",
    /// "label_agreement", "mean_similarity", "policy", "queries", "seconds"}`.
    public var json: JSONValue {
        .object([
            ("policy", .string(policy)), ("queries", .int(queries)), ("contexts", .int(contexts)),
            ("demonstrations_per_context", .number(demonstrationsPerContext)),
            ("label_agreement", .number(labelAgreement)), ("knn_vote_accuracy", .number(voteAccuracy)),
            ("diversity", diversity.map(JSONValue.number) ?? .null), ("coverage", .number(coverage)),
            ("mean_similarity", .number(meanSimilarity)), ("seconds", .number(seconds)),
        ])
    }

    /// Running sums over contexts.
    struct Tally {
        var contexts = 0, demonstrations = 0, agreeing = 0, correctVotes = 0, pairedContexts = 0
        var pairwiseSum = 0.0, similaritySum = 0.0
        var used: [Bool]

        init(supportCount: Int) { used = [Bool](repeating: false, count: supportCount) }

        /// One context: its demonstrations' support positions and similarities to the query.
        mutating func add(positions: [Int], similarities: [Float], gold: Int, groups: [Int], groupCount: Int,
                          similarity: (Int, Int) -> Float) {
            contexts += 1
            demonstrations += positions.count
            var votes = [Int](repeating: 0, count: groupCount)
            var weight = [Double](repeating: 0, count: groupCount)
            for (position, s) in zip(positions, similarities) {
                used[position] = true
                let g = groups[position]
                if g == gold { agreeing += 1 }
                votes[g] += 1
                weight[g] += Double(s)
                similaritySum += Double(s)
            }
            if !positions.isEmpty {
                var best = 0
                for g in 1..<groupCount where votes[g] > votes[best] || (votes[g] == votes[best] && weight[g] > weight[best]) { best = g }
                if best == gold { correctVotes += 1 }
            }
            if positions.count >= 2 {
                var sum = 0.0, pairs = 0
                for i in 0..<positions.count {
                    for j in (i + 1)..<positions.count {
                        sum += Double(similarity(positions[i], positions[j]))
                        pairs += 1
                    }
                }
                pairwiseSum += sum / Double(pairs)
                pairedContexts += 1
            }
        }

        mutating func merge(_ other: Tally) {
            contexts += other.contexts
            demonstrations += other.demonstrations
            agreeing += other.agreeing
            correctVotes += other.correctVotes
            pairedContexts += other.pairedContexts
            pairwiseSum += other.pairwiseSum
            similaritySum += other.similaritySum
            for (i, u) in other.used.enumerated() where u { used[i] = true }
        }
    }
}
