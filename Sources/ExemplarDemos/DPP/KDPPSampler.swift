import ExemplarData
import ExemplarKernels

/// An exact k-DPP draw as dppy's `FiniteDPP('likelihood', L=kernel).sample_exact_k_dpp(size=k,
/// random_state=seed)` makes it (mode `GS`), draw for draw with numpy's legacy `RandomState(seed)`:
///
/// 1. `L = V Λ Vᵀ` (`scipy.linalg.eigh`; here LAPACK's `dsyevr`, as scipy's default driver, eigenvalues ascending); a
///    negative eigenvalue is rounding and counts as 0 (dppy raises below −1e-8).
/// 2. The elementary symmetric polynomials `E[l, m] = e_l(λ_1 … λ_m)` (Kulesza and Taskar's
///    Algorithm 7); for `m` from N down to 1, eigenvector `m` is kept when `rand() < λ_m ·
///    E[l−1, m−1] / E[l, m]`, `l` counting down from k (Algorithm 8).
/// 3. The projection DPP of the kept eigenvectors by Gram–Schmidt on their rows: item `i` is
///    drawn with probability `‖v_i‖² / (k − t)` (`rng.choice(available, p=…)`: a cumulative sum,
///    normalised, searched with one `random_sample()`), then the rows are made orthogonal to it.
///
/// dppy computes in the kernel's float32 (OpenICL's kernel is float32); this computes in
/// float64, so a draw differs only where a uniform number falls within rounding of a boundary.
enum KDPPSampler {
    /// The sampled positions in draw order; nil when the kernel has rank below `k` (dppy raises
    /// "size k > rank") or its eigendecomposition fails.
    static func sample(_ kernel: DPPKernel, k: Int, seed: UInt32) -> [Int]? {
        let n = kernel.count
        guard k >= 1, k <= n, let (rawValues, vectors) = BLAS.symmetricEigen(kernel.matrix.map(Double.init), n: n) else { return nil }
        let values = rawValues.map { max($0, 0) }
        let tolerance = (values.max() ?? 0) * Double(n) * Double.ulpOfOne
        guard values.filter({ $0 > tolerance }).count >= k else { return nil }
        var random = NumPyRandom(seed: seed)

        // Phase 1: which eigenvectors.
        var e = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: k + 1)
        for m in 0...n { e[0][m] = 1 }
        for l in 1...k {
            for m in 1...n { e[l][m] = e[l][m - 1] + values[m - 1] * e[l - 1][m - 1] }
        }
        var remaining = k
        var kept = [Int](repeating: 0, count: k)
        var m = n
        while m >= 1 {
            if random.nextDouble() < values[m - 1] * e[remaining - 1][m - 1] / e[remaining][m] {
                remaining -= 1
                kept[remaining] = m - 1
                if remaining == 0 { break }
            }
            m -= 1
        }
        guard remaining == 0 else { return nil }

        // Phase 2: the projection DPP on the kept eigenvectors' rows (V is n × k).
        var v = [Double](repeating: 0, count: n * k)
        for i in 0..<n {
            for (c, column) in kept.enumerated() { v[i * k + c] = vectors[i * n + column] }
        }
        var norms = (0..<n).map { i in (0..<k).reduce(0.0) { $0 + v[i * k + $1] * v[i * k + $1] } }
        var c = [Double](repeating: 0, count: n * k)
        var available = [Bool](repeating: true, count: n)
        var sample: [Int] = []
        for step in 0..<k {
            let items = (0..<n).filter { available[$0] }
            var cumulative = [Double](repeating: 0, count: items.count)
            var sum = 0.0
            for (index, item) in items.enumerated() {
                sum += abs(norms[item]) / Double(k - step)
                cumulative[index] = sum
            }
            let u = random.nextDouble()
            let last = cumulative[items.count - 1]
            // searchsorted(cdf / cdf[-1], u, side='right'): the first index whose value exceeds u.
            var index = 0
            while index < items.count - 1 && !(cumulative[index] / last > u) { index += 1 }
            let j = items[index]
            sample.append(j)
            if step == k - 1 { break }
            available[j] = false
            let root = norms[j].squareRoot()
            for i in 0..<n where available[i] {
                var dot = 0.0
                for t in 0..<k { dot += v[i * k + t] * v[j * k + t] }
                var previous = 0.0
                for t in 0..<step { previous += c[i * k + t] * c[j * k + t] }
                let value = (dot - previous) / root
                c[i * k + step] = value
                norms[i] -= value * value
            }
        }
        return sample
    }
}
