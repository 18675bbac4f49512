/// int8 codes of unit vectors, one scale per dimension: what an exact scan reads first.
///
/// A row `v` with norm `‖v‖` has unit vector `u = v / max(‖v‖, 1e-12)` and codes
/// `c_i = round(u_i / s_i)` (clamped to ±127), where `s_i = max |u_i| / 127` over the rows coded
/// together. For a unit query `q`, `Σ c_i · (s_i q_i)` differs from `q · u` by at most
/// `Σ |q_i| s_i / 2` plus float32 rounding (`errorBound`), so a scan can score the codes and
/// rescore in float32 only the rows that bound cannot rule out, and still return exact results.
package enum RowCodes {
    /// The scales `s[0..<dimension]` for `count` rows, `row(i)` giving row `i`'s raw vector and norm.
    package static func scales(count: Int, dimension: Int, into s: UnsafeMutablePointer<Float>,
                               row: (Int) -> (UnsafePointer<Float>, Float)) {
        var largest = [Float](repeating: 0, count: dimension)
        for i in 0..<count {
            let (v, norm) = row(i)
            let d = max(norm, 1e-12)
            for j in 0..<dimension { largest[j] = max(largest[j], abs(v[j] / d)) }
        }
        for j in 0..<dimension { s[j] = largest[j] / 127 }
    }

    /// The codes of raw vector `v` (norm `norm`) under `scales`, into `out[0..<dimension]`.
    package static func encode(_ v: UnsafePointer<Float>, norm: Float, scales: UnsafePointer<Float>, dimension: Int,
                               into out: UnsafeMutablePointer<Int8>) {
        let d = max(norm, 1e-12)
        for j in 0..<dimension {
            let s = scales[j]
            out[j] = s > 0 ? Int8(max(-127, min(127, (v[j] / d / s).rounded()))) : 0
        }
    }

    /// The query side of a coded scan: the weights `w_i = s_i q_i` that score codes against
    /// the unit query `q`, and `bound`, which every row's code score is within of `q · u`.
    ///
    /// Where the CPU has AVX-512 VNNI (or with `integer: true`), the weights are also rounded to
    /// int16 on a grid of `step = max |w_i| / L` (`L` the most that cannot overflow an int32 sum)
    /// and scored in exact integer arithmetic, about three times faster than in float32; the
    /// bound then also holds that rounding, at most `step / 2 · 127` per dimension.
    package struct Weights: Sendable {
        package let dimension: Int
        package let floats: [Float]
        /// The int16 weights and their step, when scores are integer sums.
        package let integers: (values: [Int16], step: Float)?
        /// The bound on `|score − q · u|` for every row coded with these scales.
        package let bound: Float

        package init(query q: UnsafePointer<Float>, scales: UnsafePointer<Float>, dimension: Int,
                     integer: Bool = EncoderKernels.hasVNNI) {
            self.dimension = dimension
            var floats = [Float](repeating: 0, count: dimension)
            var bound: Float = 0, largest: Float = 0
            for j in 0..<dimension {
                floats[j] = q[j] * scales[j]
                bound += abs(q[j]) * scales[j]
                largest = max(largest, abs(floats[j]))
            }
            // A code score and an exact score each sum `dimension` products whose magnitudes add up
            // to at most 1 + bound (Cauchy-Schwarz on unit vectors): float32 rounding moves each by
            // less than dimension · 2⁻²³ · (1 + bound); allow twice that, for the two of them.
            let rounding = 2 * Float(dimension) * Float.ulpOfOne * (1 + bound)
            var total = bound / 2 + rounding
            if integer && largest > 0 {
                let levels = Float(EncoderKernels.int16ScoreLevels(dimension: dimension)), step = largest / levels
                let values = floats.map { Int16(max(-levels, min(levels, ($0 / step).rounded()))) }
                integers = (values, step)
                // |c_i| ≤ 127 and each weight moved by at most step / 2 (a tenth more for the
                // float32 rounding of step and of w_i / step).
                total += 1.1 * step / 2 * 127 * Float(dimension)
            } else {
                integers = nil
            }
            self.floats = floats
            self.bound = total
        }

        /// The code scores of `rows` rows of codes into `out[0..<rows]`.
        package func scores(_ codes: UnsafePointer<Int8>, rows: Int, into out: UnsafeMutablePointer<Float>, portable: Bool = false) {
            if let (values, step) = integers {
                EncoderKernels.int8ScoresInt16(codes, rows: rows, dimension: dimension, weights: values, step: step, into: out,
                                               portable: portable)
            } else {
                RowCodes.scores(codes, rows: rows, dimension: dimension, weights: floats, into: out, portable: portable)
            }
        }
    }

    /// `out[r] = Σ_i codes[r·dimension + i] · weights[i]` for `r` in `0..<rows` in float32 (AVX-512 where the CPU has it).
    package static func scores(_ codes: UnsafePointer<Int8>, rows: Int, dimension: Int, weights: UnsafePointer<Float>,
                               into out: UnsafeMutablePointer<Float>, portable: Bool = false) {
        EncoderKernels.int8Scores(codes, rows: rows, dimension: dimension, weights: weights, into: out, portable: portable)
    }
}
