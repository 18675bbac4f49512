@testable import ExemplarEncoder
import Foundation
import Testing

/// The transformer's element-wise kernels against plain double-precision references
/// (the BLAS wrappers and the C kernels' bodies are tested in ExemplarKernelsTests).
@Suite struct KernelTests {
    var rng = SystemRandomNumberGenerator()

    func randomValues(_ n: Int) -> [Float] {
        (0..<n).map { _ in Float.random(in: -2...2) }
    }

    @Test func layerNormSoftmaxGelu() {
        let width = 16
        var x = randomValues(2 * width)
        let residual = randomValues(2 * width)
        let gamma = randomValues(width), beta = randomValues(width)
        let expected: [Double] = (0..<2).flatMap { r -> [Double] in
            let row = (0..<width).map { Double(x[r * width + $0]) + Double(residual[r * width + $0]) }
            let mean = row.reduce(0, +) / Double(width)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)
            return row.enumerated().map { i, v in (v - mean) / (variance + 1e-12).squareRoot() * Double(gamma[i]) + Double(beta[i]) }
        }
        Elementwise.addLayerNorm(&x, residual: residual, rows: 2, width: width, gamma: gamma, beta: beta, eps: 1e-12)
        for i in x.indices { #expect(abs(Double(x[i]) - expected[i]) < 1e-4) }

        var s: [Float] = [1, 2, 3, -1000]
        Elementwise.softmaxRows(&s, rows: 1, width: 4, stride: 4)
        let z = exp(1.0) + exp(2.0) + exp(3.0)
        #expect(abs(Double(s[2]) - exp(3.0) / z) < 1e-6 && s[3] == 0)

        var g: [Float] = [-3, -1, 0, 0.5, 2, -7, 6, 0.001, -0.25, 1.5, 3.9, -12]
        let ref = g.map { Double($0) * 0.5 * (1 + erf(Double($0) / 2.0.squareRoot())) }
        Elementwise.gelu(&g, count: g.count)
        for i in g.indices { #expect(abs(Double(g[i]) - ref[i]) < 1e-6) }
    }
}
