import ExemplarTestSupport
import Foundation

/// The LM-BFF demo_filter fixture (Tests/Fixtures/demos, made by scripts/lmbff-demo-reference.py).
struct DemoFixture: Decodable {
    struct Query: Decodable {
        /// LM-BFF's context_indices: the filtered candidates' support positions in rank order.
        let kept: [Int]
        /// Per label, the similarity of the last kept minus the first dropped candidate (nil if none dropped).
        let gaps: [Double?]
    }

    let task: String
    let seed: Int
    let labels: [String]
    let rate: Double
    let supportLabels: [String]
    let splits: [String: [Query]]

    static let root = Fixtures.url("demos")

    static let names: [String] = ["SST-2", "sst-5", "trec", "RTE", "MRPC"].flatMap { task in
        [13, 21, 42, 87, 100].map { "\(task)-\($0)" }
    }

    static func load(_ name: String) throws -> DemoFixture {
        try JSONDecoder().decode(DemoFixture.self, from: Data(contentsOf: root.appendingPathComponent("\(name).json")))
    }

    /// A float16 C-order `.npy` matrix converted to float32, as the reference script does before use.
    static func matrix(_ name: String, _ split: String) throws -> (rows: Int, columns: Int, values: [Float]) {
        let bytes = [UInt8](try Data(contentsOf: root.appendingPathComponent("\(name)-\(split).npy")))
        guard bytes.count > 10, bytes[0] == 0x93, bytes[6] == 1 else { throw FixtureError.notNPY(name, split) }
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        guard header.contains("'<f2'"), header.contains("'fortran_order': False"),
              let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw FixtureError.notNPY(name, split)
        }
        let shape = header[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard shape.count == 2 else { throw FixtureError.notNPY(name, split) }
        let start = 10 + headerLength
        guard bytes.count == start + 2 * shape[0] * shape[1] else { throw FixtureError.notNPY(name, split) }
        let values = (0..<(shape[0] * shape[1])).map { i in
            Float(Float16(bitPattern: UInt16(bytes[start + 2 * i]) | UInt16(bytes[start + 2 * i + 1]) << 8))
        }
        return (shape[0], shape[1], values)
    }

    enum FixtureError: Error { case notNPY(String, String) }
}
