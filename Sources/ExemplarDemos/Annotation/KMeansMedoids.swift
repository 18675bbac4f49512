import ExemplarData

/// A k-means-medoid annotation baseline: `budget` clusters of the unit vectors, and from each
/// the example most similar to its centroid. Deterministic for a seed:
///
/// - k-means++ seeding with numpy's legacy `RandomState(seed)`: the first centre uniformly
///   (`randint(n)`), each next one with probability proportional to its squared distance
///   to the nearest centre so far (one `random_sample()` against the cumulative sum);
/// - Lloyd's iterations on squared Euclidean distance (`2 − 2·cos` for unit vectors) until no
///   assignment changes or `iterations` pass; an empty cluster takes the example farthest from
///   its centre;
/// - ties: the lower centre index, the lower position. Results in cluster (seeding) order.
enum KMeansMedoids {
    static func select(_ pool: AnnotationPool, budget: Int, seed: UInt32, iterations: Int) -> [Int] {
        let n = pool.count, d = pool.dimension
        guard budget > 0 else { return [] }
        if budget >= n { return Array(0..<n) }
        var random = NumPyRandom(seed: seed)

        // k-means++ seeding.
        var centres: [Int] = [Int(random.randint(0, Int64(n)))]
        var nearest = distances(pool, to: Array(pool.unit(centres[0])))
        while centres.count < budget {
            var cumulative = [Double](repeating: 0, count: n)
            var sum = 0.0
            for i in 0..<n {
                sum += Double(max(nearest[i], 0))
                cumulative[i] = sum
            }
            var next: Int
            if sum > 0 {
                let u = random.nextDouble() * sum
                next = cumulative.firstIndex { $0 > u } ?? n - 1
            } else {
                next = (0..<n).first { !centres.contains($0) } ?? 0
            }
            if centres.contains(next) { next = (0..<n).first { !centres.contains($0) } ?? next }
            centres.append(next)
            let added = distances(pool, to: Array(pool.unit(next)))
            for i in 0..<n where added[i] < nearest[i] { nearest[i] = added[i] }
        }

        // Lloyd's iterations.
        var centroids = centres.flatMap { pool.unit($0) }
        var assignment = [Int](repeating: -1, count: n)
        for _ in 0..<max(1, iterations) {
            let (labels, gaps) = assign(pool, centroids: centroids, clusters: budget)
            let changed = labels != assignment
            assignment = labels
            var sums = [Float](repeating: 0, count: budget * d)
            var sizes = [Int](repeating: 0, count: budget)
            for i in 0..<n {
                let c = assignment[i]
                sizes[c] += 1
                for (t, value) in pool.unit(i).enumerated() { sums[c * d + t] += value }
            }
            var taken = Set<Int>()
            for c in 0..<budget {
                if sizes[c] == 0 {
                    // The example farthest from its centre, not yet used to refill.
                    let far = (0..<n).filter { !taken.contains($0) }.max { gaps[$0] != gaps[$1] ? gaps[$0] < gaps[$1] : $0 > $1 } ?? 0
                    taken.insert(far)
                    for (t, value) in pool.unit(far).enumerated() { centroids[c * d + t] = value }
                } else {
                    for t in 0..<d { centroids[c * d + t] = sums[c * d + t] / Float(sizes[c]) }
                }
            }
            if !changed { break }
        }

        // The medoid of each cluster: the member nearest its centroid.
        var best = [Int](repeating: -1, count: budget)
        var bestDistance = [Float](repeating: .infinity, count: budget)
        let (labels, gaps) = assign(pool, centroids: centroids, clusters: budget)
        for i in 0..<n where gaps[i] < bestDistance[labels[i]] {
            best[labels[i]] = i
            bestDistance[labels[i]] = gaps[i]
        }
        var chosen: [Int] = []
        var used = Set<Int>()
        for c in 0..<budget {
            if best[c] >= 0, used.insert(best[c]).inserted { chosen.append(best[c]) }
        }
        // Clusters left empty at the end are filled with the examples farthest from their centres.
        let spare = (0..<n).filter { !used.contains($0) }.sorted { gaps[$0] != gaps[$1] ? gaps[$0] > gaps[$1] : $0 < $1 }
        chosen += spare.prefix(budget - chosen.count)
        return chosen
    }

    /// Squared Euclidean distance of every example to the vector `centre`.
    private static func distances(_ pool: AnnotationPool, to centre: [Float]) -> [Float] {
        assign(pool, centroids: centre, clusters: 1).gaps
    }

    /// Each example's nearest centroid (ties: lower index) and its squared distance.
    private static func assign(_ pool: AnnotationPool, centroids: [Float], clusters: Int) -> (labels: [Int], gaps: [Float]) {
        let n = pool.count, d = pool.dimension
        let products = pool.products(with: centroids, rows: clusters)   // [n, clusters]
        var norms = [Float](repeating: 0, count: clusters)
        for c in 0..<clusters {
            var s: Float = 0
            for t in 0..<d { s += centroids[c * d + t] * centroids[c * d + t] }
            norms[c] = s
        }
        var labels = [Int](repeating: 0, count: n)
        var gaps = [Float](repeating: 0, count: n)
        for i in 0..<n {
            var bestC = 0
            var bestD = Float.infinity
            for c in 0..<clusters {
                let distance = 1 + norms[c] - 2 * products[i * clusters + c]
                if distance < bestD {
                    bestD = distance
                    bestC = c
                }
            }
            labels[i] = bestC
            gaps[i] = max(bestD, 0)
        }
        return (labels, gaps)
    }
}
