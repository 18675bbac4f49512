import ExemplarKernels
import Testing

/// Dot products and the one L2 normalisation against plain loops.
@Suite struct VectorsTests {
    func randomValues(_ n: Int) -> [Float] {
        (0..<n).map { _ in Float.random(in: -2...2) }
    }

    /// The reference rule, written out: squares summed in index order in float32,
    /// `max(‖v‖, 1e-12)`, each value divided by it.
    func plainNormalized(_ v: [Float]) -> [Float] {
        var sum: Float = 0
        for x in v { sum += x * x }
        let norm = max(sum.squareRoot(), 1e-12)
        return v.map { $0 / norm }
    }

    @Test(arguments: [0, 1, 7, 31, 32, 33, 64, 100, 384])
    func dot(n: Int) {
        let a = randomValues(n), b = randomValues(n)
        let ref = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(Double(Vectors.dot(a, b, n)) - ref) < 1e-4)
        var plain: Float = 0
        for i in 0..<n { plain += a[i] * b[i] }
        #expect(Vectors.dotInIndexOrder(a, b, n) == plain)  // bit for bit
    }

    @Test(arguments: [(0, 5), (1, 384), (7, 3), (8, 384), (19, 384), (33, 1)])
    func dotsInIndexOrderAreThePlainLoopsBits(rows count: Int, n: Int) {
        let query = randomValues(n), rows = randomValues(count * n)
        var out = [Float](repeating: .nan, count: count)
        Vectors.dotsInIndexOrder(query, rows: rows, count: count, n, into: &out)
        for r in 0..<count {
            var plain: Float = 0
            for i in 0..<n { plain += rows[r * n + i] * query[i] }
            #expect(out[r].bitPattern == plain.bitPattern)
        }
    }

    @Test(arguments: [(0, 5), (1, 384), (7, 3), (64, 384), (65, 17), (200, 384)])
    func rowPanelDotsAreThePlainLoopsBits(rows count: Int, n: Int) {
        let query = randomValues(n), rows = randomValues(count * n)
        let panels = RowPanels(rows: rows, width: n)
        for portable in [false, true] {
            var out = [Float](repeating: .nan, count: count + 1)
            panels.dotsInIndexOrder(query, into: &out, portable: portable)
            for r in 0..<count {
                var plain: Float = 0
                for i in 0..<n { plain += rows[r * n + i] * query[i] }
                #expect(out[r].bitPattern == plain.bitPattern, "row \(r), portable \(portable)")
            }
            #expect(out[count].isNaN)  // nothing written past count
        }
    }

    @Test(arguments: [1, 3, 32, 384])
    func normalizeMatchesThePlainRule(n: Int) {
        let v = randomValues(n)
        var ours = v
        Vectors.normalize(&ours)
        #expect(ours == plainNormalized(v))  // bit for bit: the LM-BFF equivalence test relies on it
        let norm = v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        for i in 0..<n { #expect(abs(Double(ours[i]) - Double(v[i]) / norm) < 1e-6) }
        let length = ours.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(length - 1) < 1e-6)
    }

    @Test func zeroAndEmptyVectorsStayAsTheyAre() {
        var zero = [Float](repeating: 0, count: 8)
        Vectors.normalize(&zero)
        #expect(zero == [Float](repeating: 0, count: 8))
        var empty: [Float] = []
        Vectors.normalize(&empty)
        #expect(empty.isEmpty)
    }

    /// Below a norm of 1e-12 a vector is divided by 1e-12, not scaled to unit length (torch's
    /// and sentence-transformers' rule); at or above it, it becomes a unit vector.
    @Test func tinyNorms() {
        var below: [Float] = [3e-13, 4e-13]           // norm 5e-13
        Vectors.normalize(&below)
        #expect(abs(below[0] - 0.3) < 1e-6 && abs(below[1] - 0.4) < 1e-6)
        var above: [Float] = [3e-12, -4e-12]          // norm 5e-12
        Vectors.normalize(&above)
        #expect(abs(above[0] - 0.6) < 1e-6 && abs(above[1] + 0.8) < 1e-6)
        let tiny = Float.leastNormalMagnitude / 1024     // subnormal: its square underflows to 0
        var subnormal: [Float] = [tiny, -tiny]
        Vectors.normalize(&subnormal)
        let expected = Double(tiny) * 1e12
        #expect(subnormal.allSatisfy { $0.isFinite && abs(Double(abs($0)) - expected) < expected * 1e-6 })
        #expect(subnormal == plainNormalized([tiny, -tiny]))
    }

    @Test func normalizeRowsIsNormalizePerRow() {
        let width = 37, rows = 5
        var m = randomValues(rows * width)
        for j in 0..<width { m[2 * width + j] = 0 }   // a zero row stays zero
        m[3 * width] = 1e-13                          // a tiny row
        for j in 1..<width { m[3 * width + j] = 0 }
        var ours = m
        Vectors.normalizeRows(&ours, width: width)
        for r in 0..<rows {
            #expect(Array(ours[(r * width)..<((r + 1) * width)]) == plainNormalized(Array(m[(r * width)..<((r + 1) * width)])))
        }
        #expect(ours[(2 * width)..<(3 * width)].allSatisfy { $0 == 0 })
        #expect(abs(ours[3 * width] - 0.1) < 1e-6)
        var pointerRows = m
        pointerRows.withUnsafeMutableBufferPointer { Vectors.normalizeRows($0.baseAddress!, rows: rows, width: width) }
        #expect(pointerRows == ours)
    }
}
