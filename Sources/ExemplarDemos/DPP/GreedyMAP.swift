/// Greedy MAP inference for a DPP as CEIL and OpenICL run it (`fast_map_dpp`, after Chen et
/// al. 2018's incremental Cholesky update), with numpy's types: the kernel and the residual
/// gains `d²` in float32, the Cholesky rows in float64; each step takes the first largest gain.
///
/// The reference has no stopping rule: it takes `k` items even when the gains reach zero, and
/// fails (a square root of a negative number) when the kernel's rank is below `k`. Here,
/// once the best remaining gain is not positive, the remaining picks are the not yet chosen
/// items in `fallback` order (most relevant first), so a result always has `min(k, count)` items.
enum GreedyMAP {
    /// The chosen item positions in pick order.
    static func select(_ kernel: DPPKernel, k: Int, fallback: [Int]) -> [Int] {
        let n = kernel.count
        let steps = min(k, n)
        guard steps > 0 else { return [] }
        var gains = (0..<n).map { kernel.matrix[$0 * n + $0] }
        var rows = [Double](repeating: 0, count: steps * n)   // cis, row-major [steps, n]
        var chosen: [Int] = []
        var isChosen = [Bool](repeating: false, count: n)
        var selected = argmax(gains)
        chosen.append(selected)
        isChosen[selected] = true
        while chosen.count < steps {
            let row = chosen.count - 1
            let gain = Double(gains[selected])
            guard gain > 0 else { break }
            let root = gain.squareRoot()
            for j in 0..<n {
                var dot = 0.0
                for t in 0..<row { dot += rows[t * n + selected] * rows[t * n + j] }
                let e = (Double(kernel.matrix[selected * n + j]) - dot) / root
                rows[row * n + j] = e
                gains[j] = Float(Double(gains[j]) - e * e)
            }
            selected = argmax(gains)
            if isChosen[selected] || !(gains[selected] > 0) { break }
            chosen.append(selected)
            isChosen[selected] = true
        }
        for position in fallback where chosen.count < steps && !isChosen[position] {
            chosen.append(position)
            isChosen[position] = true
        }
        return chosen
    }

    /// numpy's `argmax`: the first index of the largest value.
    static func argmax(_ values: [Float]) -> Int {
        var best = 0
        for i in 1..<values.count where values[i] > values[best] { best = i }
        return best
    }
}
