import ExemplarKernels
import Foundation
import Testing

/// The C kernels (fused attention, LayerNorm, GELU, int8 GEMM) against plain double-precision
/// references, in both bodies: the dispatching entry point (AVX-512 where this CPU has it)
/// and the portable one.
@Suite struct EncoderKernelsTests {
    func randomValues(_ n: Int, _ range: ClosedRange<Float> = -2...2) -> [Float] {
        (0..<n).map { _ in Float.random(in: range) }
    }

    /// Plain attention of one sequence, in Double, with a relative bias table indexed by key − query.
    func referenceAttention(_ qkv: [Float], n: Int, heads: Int, d: Int, scale: Double, bias: [Float]?, biasStride: Int) -> [Double] {
        let h = heads * d, ld = 3 * h
        var out = [Double](repeating: 0, count: n * h)
        for head in 0..<heads {
            for i in 0..<n {
                var s = (0..<n).map { j -> Double in
                    var dot = 0.0
                    for c in 0..<d { dot += Double(qkv[i * ld + head * d + c]) * Double(qkv[j * ld + h + head * d + c]) }
                    return dot * scale + (bias.map { Double($0[head * biasStride + (n - 1) + (j - i)]) } ?? 0)
                }
                let m = s.max()!
                s = s.map { exp($0 - m) }
                let z = s.reduce(0, +)
                for c in 0..<d {
                    var v = 0.0
                    for j in 0..<n { v += s[j] / z * Double(qkv[j * ld + 2 * h + head * d + c]) }
                    out[i * h + head * d + c] = v
                }
            }
        }
        return out
    }

    @Test("fused attention matches the reference", arguments: [(1, 16), (5, 32), (17, 32), (33, 64), (70, 16), (3, 8)])
    func attention(n: Int, d: Int) {
        let heads = 3, h = heads * d
        let qkv = randomValues(n * 3 * h)
        let biasStride = 2 * n - 1
        for withBias in [false, true] {
            let bias = withBias ? randomValues(heads * biasStride) : nil
            let expected = referenceAttention(qkv, n: n, heads: heads, d: d, scale: 0.3, bias: bias, biasStride: biasStride)
            for portable in [false, true] {
                var out = [Float](repeating: .nan, count: n * h)
                let count = EncoderKernels.attentionScratch(count: n, headSize: d)
                let scratch = UnsafeMutableRawPointer.allocate(byteCount: 4 * count, alignment: 64).bindMemory(to: Float.self, capacity: count)
                defer { scratch.deallocate() }
                (bias ?? [0]).withUnsafeBufferPointer { b in
                    EncoderKernels.attention(qkv, ld: 3 * h, count: n, heads: heads, headSize: d, scale: 0.3,
                                             bias: withBias ? b.baseAddress! + (n - 1) : nil, biasStride: biasStride,
                                             into: &out, ldc: h, scratch: scratch, portable: portable)
                }
                let worst = zip(out, expected).map { abs(Double($0) - $1) }.max()!
                #expect(worst < 2e-5, "n \(n), d \(d), bias \(withBias), portable \(portable): max abs \(worst)")
            }
        }
    }

    @Test func layerNormAndGelu() {
        for width in [16, 384, 20] {
            let rows = 3
            let x0 = randomValues(rows * width), residual = randomValues(rows * width)
            let gamma = randomValues(width), beta = randomValues(width)
            let expected: [Double] = (0..<rows).flatMap { r -> [Double] in
                let row = (0..<width).map { Double(x0[r * width + $0]) + Double(residual[r * width + $0]) }
                let mean = row.reduce(0, +) / Double(width)
                let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)
                return row.enumerated().map { i, v in (v - mean) / (variance + 1e-12).squareRoot() * Double(gamma[i]) + Double(beta[i]) }
            }
            for portable in [false, true] {
                var x = x0
                EncoderKernels.addLayerNorm(&x, residual: residual, rows: rows, width: width, gamma: gamma, beta: beta,
                                            eps: 1e-12, portable: portable)
                let worst = zip(x, expected).map { abs(Double($0) - $1) }.max()!
                #expect(worst < 1e-4, "width \(width), portable \(portable): \(worst)")
            }
        }
        // GELU over [-8, 8] (erf saturates past ±4·√2), an odd count so the scalar tail runs too.
        let g0 = (0..<4003).map { Float($0 - 2001) / 250 }
        let ref = g0.map { Double($0) * 0.5 * (1 + erf(Double($0) / 2.0.squareRoot())) }
        for portable in [false, true] {
            var g = g0
            EncoderKernels.gelu(&g, count: g.count, portable: portable)
            let worst = zip(g, ref).map { abs(Double($0) - $1) }.max()!
            #expect(worst < 2e-6, "portable \(portable): \(worst)")
        }
    }

    /// A quantised layer's two bodies (`apply(x, out, stride, portable)`) give the same
    /// numbers, every output is within the quantisation error of the float product (half a
    /// step of each operand's grid times the other's magnitude, plus `relative` of Σ|x·w|), and
    /// the padding columns of a strided output are left alone. `xStep` is one row's input
    /// step; `wLevels` the weight grid's levels a side.
    func checkQuantised(rows: Int, inFeatures: Int, outFeatures: Int, xStep: (ArraySlice<Float>) -> Double,
                        wLevels: Double, relative: Double,
                        make: ([Float], [Float]) -> (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Bool) -> Void) {
        let x = randomValues(rows * inFeatures, -1...3), w = randomValues(outFeatures * inFeatures, -0.2...0.2)
        let b = randomValues(outFeatures)
        let apply = make(w, b)
        let stride = outFeatures + 3
        var fast = [Float](repeating: .nan, count: rows * stride), portable = fast
        apply(x, &fast, stride, false)
        apply(x, &portable, stride, true)
        for r in 0..<rows {
            let step = xStep(x[(r * inFeatures)..<((r + 1) * inFeatures)])
            for o in 0..<outFeatures {
                let i = r * stride + o
                #expect(fast[i] == portable[i])
                var ref = Double(b[o]), magnitude = 0.0, bound = 1e-5
                let wStep = Double(w[(o * inFeatures)..<((o + 1) * inFeatures)].map(abs).max()!) / wLevels
                for k in 0..<inFeatures {
                    let xv = Double(x[r * inFeatures + k]), wv = Double(w[o * inFeatures + k])
                    ref += xv * wv
                    magnitude += abs(xv * wv)
                    bound += 0.5 * step * (abs(wv) + wStep) + 0.5 * wStep * abs(xv)
                }
                bound += magnitude * relative
                #expect(abs(Double(fast[i]) - ref) <= bound, "row \(r), output \(o): \(fast[i]) vs \(ref), bound \(bound)")
            }
            for o in outFeatures..<stride { #expect(fast[r * stride + o].isNaN) }
        }
    }

    /// int8: both bodies give the same numbers (the sums are exact integers), and those are
    /// within the quantisation error of the float product.
    @Test("int8 linear matches the portable body exactly and float within quantisation error",
          arguments: [(1, 4, 1), (7, 33, 17), (37, 383, 100), (9, 64, 80)])
    func int8Linear(rows: Int, inFeatures: Int, outFeatures: Int) {
        checkQuantised(rows: rows, inFeatures: inFeatures, outFeatures: outFeatures,
                       xStep: { Double(max($0.max()!, 0) - min($0.min()!, 0)) / 255 }, wLevels: 127, relative: 0) { w, b in
            let layer = Int8Linear(weight: w, bias: b, outFeatures: outFeatures, inFeatures: inFeatures)
            return { layer.apply($0, rows: rows, into: $1, outputStride: $2, portable: $3) }
        }
    }

    /// int16: both bodies give the same numbers (exact integer chunks, added in the same order),
    /// and those are within the quantisation error of the float product, plus float32 rounding
    /// of the chunk sums and the scales. K = 383 and 1536 cross chunk boundaries.
    @Test("int16 linear matches the portable body exactly and float within quantisation error",
          arguments: [(1, 4, 1), (7, 33, 17), (37, 383, 100), (5, 1536, 40)])
    func int16Linear(rows: Int, inFeatures: Int, outFeatures: Int) {
        checkQuantised(rows: rows, inFeatures: inFeatures, outFeatures: outFeatures,
                       xStep: { Double($0.map(abs).max()!) / 4095 }, wLevels: 4095, relative: 1e-6) { w, b in
            let layer = Int16Linear(weight: w, bias: b, outFeatures: outFeatures, inFeatures: inFeatures)
            return { layer.apply($0, rows: rows, into: $1, outputStride: $2, portable: $3) }
        }
    }

    /// The worst case for the int32 chunk sums: every product at its largest (4095 · 4095), one
    /// sign throughout, over 1,536 inputs; an overflow would flip the sign or lose 2³².
    @Test func int16SumsDoNotOverflow() {
        let inFeatures = 1536, outFeatures = 16, rows = 6
        let x = [Float](repeating: 2.5, count: rows * inFeatures), w = [Float](repeating: -0.75, count: outFeatures * inFeatures)
        let b = [Float](repeating: 0, count: outFeatures)
        let layer = Int16Linear(weight: w, bias: b, outFeatures: outFeatures, inFeatures: inFeatures)
        for portable in [false, true] {
            var y = [Float](repeating: 0, count: rows * outFeatures)
            layer.apply(x, rows: rows, into: &y, portable: portable)
            for v in y { #expect(abs(Double(v) - (-2.5 * 0.75 * 1536)) < 1e-2, "portable \(portable): \(v)") }
        }
    }

    /// bf16 rounding against the rule written out (nearest, ties to even; denormals to a zero
    /// of their sign; NaN quiet), and the rows kernel (vcvtneps2bf16 where the CPU has it)
    /// bit for bit against the portable body on the same values.
    @Test func bf16Rounding() {
        let cases: [(Float, UInt16)] = [
            (1, 0x3F80), (-2, 0xC000), (0, 0), (-0.0, 0x8000), (.infinity, 0x7F80), (-.infinity, 0xFF80),
            (Float(bitPattern: 0x3F80_8000), 0x3F80),  // a tie, down to the even neighbour
            (Float(bitPattern: 0x3F81_8000), 0x3F82),  // a tie, up to the even neighbour
            (Float(bitPattern: 0x3F80_8001), 0x3F81),  // above the tie
            (Float(bitPattern: 0x0000_0001), 0), (Float(bitPattern: 0x807F_FFFF), 0x8000),  // denormals
            (.greatestFiniteMagnitude, 0x7F80),  // rounds past bf16's largest value
        ]
        for (x, bits) in cases { #expect(EncoderKernels.bfloat16(x) == bits, "\(x.bitPattern)") }
        #expect(EncoderKernels.bfloat16(.nan) & 0x7FC0 == 0x7FC0)
        var values = randomValues(1000, -3...3) + cases.map(\.0) + [Float(bitPattern: 0x000A_E398), -Float(bitPattern: 0x0020_AA55), 1e38, 6e-8]  // two denormals
        values += (0..<500).map { _ in Float(bitPattern: UInt32.random(in: 0...UInt32.max) & 0xFF7F_FFFF) }  // no NaN
        let fast = EncoderKernels.bfloat16(values), portable = EncoderKernels.bfloat16(values, portable: true)
        #expect(fast == portable)
        #expect(portable == values.map(EncoderKernels.bfloat16))
    }

    /// bf16 linear: both bodies are within float32 summation error of the double product of the
    /// bf16-rounded operands (products of bf16 values are exact in float32), and within
    /// bf16's rounding (2⁻⁸ of Σ|x·w|) of the float product. K = 1536 is the MLP's width.
    @Test("bf16 linear matches the product of its rounded operands", arguments: [(1, 4, 1), (7, 33, 17), (37, 383, 100), (5, 1536, 40)])
    func bf16Linear(rows: Int, inFeatures: Int, outFeatures: Int) {
        let x = randomValues(rows * inFeatures, -1...3), w = randomValues(outFeatures * inFeatures, -0.2...0.2)
        let b = randomValues(outFeatures)
        let layer = BF16Linear(weight: w, bias: b, outFeatures: outFeatures, inFeatures: inFeatures)
        let widen = { (x: Float) in Double(Float(bitPattern: UInt32(EncoderKernels.bfloat16(x)) << 16)) }
        let stride = outFeatures + 3
        for portable in [false, true] {
            var y = [Float](repeating: .nan, count: rows * stride)
            layer.apply(x, rows: rows, into: &y, outputStride: stride, portable: portable)
            for r in 0..<rows {
                for o in 0..<outFeatures {
                    var rounded = Double(b[o]), exact = Double(b[o]), magnitude = 0.0
                    for k in 0..<inFeatures {
                        let xv = x[r * inFeatures + k], wv = w[o * inFeatures + k]
                        rounded += widen(xv) * widen(wv)
                        exact += Double(xv) * Double(wv)
                        magnitude += abs(Double(xv) * Double(wv))
                    }
                    let v = Double(y[r * stride + o])
                    let summation = 1e-6 + magnitude * Double(inFeatures + 1) * 0x1p-24
                    #expect(abs(v - rounded) <= summation, "portable \(portable), row \(r), output \(o): \(v) vs \(rounded)")
                    #expect(abs(v - exact) <= summation + magnitude * 0x1p-8, "portable \(portable), row \(r), output \(o)")
                }
                for o in outFeatures..<stride { #expect(y[r * stride + o].isNaN) }
            }
        }
    }

    @Test func int8StackedLayersAreSideBySide() {
        let inFeatures = 24, out = 5, rows = 4
        let x = randomValues(rows * inFeatures)
        let parts = (0..<3).map { _ in (randomValues(out * inFeatures), randomValues(out)) }
        // Pointers that outlive a closure: copies in allocated memory.
        let copies = parts.map { p in (UnsafeMutableBufferPointer<Float>.allocate(capacity: p.0.count), UnsafeMutableBufferPointer<Float>.allocate(capacity: p.1.count)) }
        defer { for c in copies { c.0.deallocate(); c.1.deallocate() } }
        for (c, p) in zip(copies, parts) { _ = c.0.initialize(from: p.0); _ = c.1.initialize(from: p.1) }
        let stacked = copies.map { (UnsafePointer($0.0.baseAddress!), UnsafePointer($0.1.baseAddress!)) }
        let together = Int8Linear(stacking: stacked, outFeatures: out, inFeatures: inFeatures)
        var y = [Float](repeating: 0, count: rows * 3 * out)
        together.apply(x, rows: rows, into: &y)
        for (i, p) in parts.enumerated() {
            var alone = [Float](repeating: 0, count: rows * out)
            Int8Linear(weight: p.0, bias: p.1, outFeatures: out, inFeatures: inFeatures).apply(x, rows: rows, into: &alone)
            for r in 0..<rows {
                for o in 0..<out { #expect(y[r * 3 * out + i * out + o] == alone[r * out + o]) }
            }
        }
    }
}

/// The packed float32 linear layer against plain double loops, both bodies.
@Suite struct PackedLinearTests {
    /// The search's score blocks: every query against every row, packed GEMM (or sgemm where
    /// that is slower), into a wider output.
    @Test("query · row blocks match the reference", arguments: [(1, 24, 1), (7, 384, 37), (13, 40, 300)])
    func dotRows(queries m: Int, width: Int, rows n: Int) {
        let q = (0..<(m * width)).map { _ in Float.random(in: -1...1) }
        let rows = (0..<(n * width)).map { _ in Float.random(in: -1...1) }
        var scratch = [Float](repeating: 0, count: EncoderKernels.dotRowsScratch(rows: n, width: width))
        let ldc = n + 3
        var out = [Float](repeating: .nan, count: m * ldc)
        EncoderKernels.dotRows(q, count: m, rows: rows, rowCount: n, width: width, scratch: &scratch, into: &out, ldc: ldc)
        for i in 0..<m {
            for r in 0..<n {
                var ref = 0.0
                for j in 0..<width { ref += Double(q[i * width + j]) * Double(rows[r * width + j]) }
                #expect(abs(Double(out[i * ldc + r]) - ref) < 1e-4)
            }
            for r in n..<ldc { #expect(out[i * ldc + r].isNaN) }
        }
    }

    @Test("packed float32 linear matches the reference", arguments: [(1, 4, 1), (7, 33, 17), (13, 383, 100), (6, 64, 80)])
    func packedLinear(rows: Int, inFeatures: Int, outFeatures: Int) {
        let x = (0..<(rows * inFeatures)).map { _ in Float.random(in: -2...2) }
        let w = (0..<(outFeatures * inFeatures)).map { _ in Float.random(in: -1...1) }
        let b = (0..<outFeatures).map { _ in Float.random(in: -1...1) }
        let layer = PackedLinear(weight: w, bias: b, outFeatures: outFeatures, inFeatures: inFeatures)
        let stride = outFeatures + 2
        for portable in [false, true] {
            var y = [Float](repeating: .nan, count: rows * stride)
            layer.apply(x, rows: rows, into: &y, outputStride: stride, portable: portable)
            for r in 0..<rows {
                for o in 0..<outFeatures {
                    var ref = Double(b[o])
                    for k in 0..<inFeatures { ref += Double(x[r * inFeatures + k]) * Double(w[o * inFeatures + k]) }
                    #expect(abs(Double(y[r * stride + o]) - ref) < 1e-4, "portable \(portable)")
                }
                for o in outFeatures..<stride { #expect(y[r * stride + o].isNaN) }
            }
        }
    }

    /// Every body sums each output in input order with FMAs: the SIMD bodies (AVX-512 or AVX2,
    /// whichever this CPU runs), the portable one and the output columns split across threads
    /// give the same bits.
    @Test("packed float32 linear: SIMD, portable and threaded give the same bits", arguments: [(37, 384, 200), (5, 384, 1536), (23, 1536, 384)])
    func packedLinearBodiesAgree(rows: Int, inFeatures: Int, outFeatures: Int) {
        let x = (0..<(rows * inFeatures)).map { _ in Float.random(in: -2...2) }
        let w = (0..<(outFeatures * inFeatures)).map { _ in Float.random(in: -1...1) }
        let b = (0..<outFeatures).map { _ in Float.random(in: -1...1) }
        let layer = PackedLinear(weight: w, bias: b, outFeatures: outFeatures, inFeatures: inFeatures)
        var one = [Float](repeating: 0, count: rows * outFeatures), portable = one, two = one
        layer.apply(x, rows: rows, into: &one)
        layer.apply(x, rows: rows, into: &portable, portable: true)
        layer.apply(x, rows: rows, into: &two, threads: 2)
        #expect(one.map(\.bitPattern) == portable.map(\.bitPattern))
        #expect(one.map(\.bitPattern) == two.map(\.bitPattern))
    }
}

/// The int8 code scores (`RowCodes.scores`): SIMD body and portable body against a double loop.
@Suite struct RowCodeScoreTests {
    @Test(arguments: [(1, 16), (7, 37), (130, 384), (9, 8)])
    func scoresMatchTheReference(rows: Int, dimension: Int) {
        let codes = (0..<(rows * dimension)).map { _ in Int8.random(in: -127...127) }
        let weights = (0..<dimension).map { _ in Float.random(in: -0.01...0.01) }
        for portable in [false, true] {
            var out = [Float](repeating: .nan, count: rows)
            codes.withUnsafeBufferPointer { c in
                RowCodes.scores(c.baseAddress!, rows: rows, dimension: dimension, weights: weights, into: &out, portable: portable)
            }
            for r in 0..<rows {
                var ref = 0.0, magnitude = 0.0
                for i in 0..<dimension {
                    ref += Double(codes[r * dimension + i]) * Double(weights[i])
                    magnitude += abs(Double(codes[r * dimension + i]) * Double(weights[i]))
                }
                #expect(abs(Double(out[r]) - ref) <= Double(dimension) * 1.2e-7 * magnitude + 1e-12, "row \(r), portable \(portable)")
            }
        }
    }

    /// The integer form: both bodies give the integer sum times the step, bit for bit, at
    /// widths that leave a tail of 32 and up to the largest weights (the worst case for an
    /// int32 sum: every product at 127 · L, one sign, where L shrinks as the width grows).
    @Test(arguments: [(1, 16), (7, 37), (130, 384), (9, 8), (5, 1024)])
    func int16ScoresMatchTheIntegerSum(rows: Int, dimension: Int) {
        let levels = EncoderKernels.int16ScoreLevels(dimension: dimension)
        #expect(127 * levels * dimension <= Int(Int32.max))
        let step: Float = 3.1e-7
        for extreme in [false, true] {
            let codes = (0..<(rows * dimension)).map { _ in extreme ? Int8(-127) : Int8.random(in: -127...127) }
            let weights = (0..<dimension).map { _ in extreme ? Int16(levels) : Int16(Int.random(in: -levels...levels)) }
            var fast = [Float](repeating: .nan, count: rows), portable = fast
            codes.withUnsafeBufferPointer { c in
                EncoderKernels.int8ScoresInt16(c.baseAddress!, rows: rows, dimension: dimension, weights: weights, step: step, into: &fast)
                EncoderKernels.int8ScoresInt16(c.baseAddress!, rows: rows, dimension: dimension, weights: weights, step: step, into: &portable,
                                               portable: true)
            }
            #expect(fast.map(\.bitPattern) == portable.map(\.bitPattern))
            for r in 0..<rows {
                let sum = (0..<dimension).reduce(0) { $0 + Int(codes[r * dimension + $1]) * Int(weights[$1]) }
                #expect(portable[r] == Float(sum) * step, "row \(r), extreme \(extreme)")
            }
        }
    }
}
