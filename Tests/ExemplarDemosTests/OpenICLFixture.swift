import ExemplarData
import ExemplarDemos
import ExemplarIO
import ExemplarTestSupport
import Foundation

/// An OpenICL reference fixture (Tests/Fixtures/openicl/TASK-16-42, made by
/// `scripts/check-openicl --fixtures`): LM-BFF's k-shot split files (test cut to 8 queries), the
/// float32 embeddings both sides used (`SPLIT_sbert-check.npy`), and OpenICL's answers.
struct OpenICLFixture: Decodable {
    struct Selection: Decodable {
        let budget: Int
        let seed: UInt32
        let selected: [Int]
        let k: Int?
        let overlapThreshold: Double?
        enum CodingKeys: String, CodingKey { case budget, seed, selected, k, overlapThreshold = "overlap_threshold" }
    }

    let task: String
    let k: Int
    let candidates: Int
    let scaleFactor: Double
    let seed: UInt64
    /// Per query, OpenICL's TopkRetriever ice_idx.
    let topk: [[Int]]
    /// Per query, OpenICL's DPPRetriever (greedy MAP) ice_idx.
    let dppMap: [[Int]]
    /// Per query, dppy's k-DPP draw ordered by relevance (nil where dppy raised).
    let dppSample: [[Int]?]
    let votek: Selection
    let votekFill: Selection
    let random: Selection

    enum CodingKeys: String, CodingKey {
        case task, k, candidates, seed, topk, votek, random
        case scaleFactor = "scale_factor", dppMap = "dpp_map", dppSample = "dpp_sample", votekFill = "votek_fill"
    }

    static let names = ["SST-2-16-42", "trec-16-42", "RTE-16-42"]

    static func folder(_ name: String) -> URL { Fixtures.url("openicl/\(name)") }

    static func load(_ name: String) throws -> OpenICLFixture {
        try JSONDecoder().decode(OpenICLFixture.self, from: Data(contentsOf: folder(name).appendingPathComponent("expected.json")))
    }

    /// The fixture as a demonstration source (no index, no encoder).
    func source(_ name: String) throws -> DemoSource {
        try DemoSource(lmbffFolder: Self.folder(name), task: LMBFFTask(name: task)!, embeddings: "sbert-check")
    }

    /// The pool's float32 vectors and their dimension.
    static func train(_ name: String) throws -> (vectors: [Float], dimension: Int) {
        let bytes = [UInt8](try Data(contentsOf: folder(name).appendingPathComponent("train_sbert-check.npy")))
        guard let (shape, values) = NPY.decode(bytes), shape.count == 2 else { throw CocoaError(.fileReadCorruptFile) }
        return (values, shape[1])
    }
}
