import ExemplarEncoder
import ExemplarTestSupport
import Foundation
import Testing

/// Our encoder against sentence-transformers' own output, on the real model and on tiny
/// random BERTs of other shapes (references made by scripts/make-fixtures.py).
@Suite struct ParityTests {
    static let cases: [(folder: String?, references: String, vectors: String)] = [
        (nil, "minilm/sentences.jsonl", "minilm/embeddings.npy"),
        ("tiny-bert-cls", "tiny-bert-cls/reference.jsonl", "tiny-bert-cls/reference.npy"),
        ("tiny-bert-max", "tiny-bert-max/reference.jsonl", "tiny-bert-max/reference.npy"),
    ]

    func encoder(_ folder: String?) throws -> SentenceEncoder {
        try SentenceEncoder(folder: folder.map { Fixtures.url($0) } ?? Fixtures.realModelFolder())
    }

    @Test("token ids equal sentence-transformers' for every sentence", arguments: 0..<3)
    func tokenIDs(_ index: Int) throws {
        let c = Self.cases[index]
        let encoder = try encoder(c.folder)
        let references = try Fixtures.references(c.references)
        #expect(references.count >= (c.folder == nil ? 200 : 40))
        var mismatches = 0
        for ref in references {
            let ids = encoder.tokenize(ref.text)
            if ids != ref.ids {
                mismatches += 1
                Issue.record("ids differ for \(String(reflecting: ref.text)):\n ours \(ids)\n theirs \(ref.ids)")
            }
        }
        #expect(mismatches == 0)
    }

    @Test("embeddings match sentence-transformers: cosine >= 0.99999, max abs diff <= 1e-4", arguments: 0..<3)
    func embeddings(_ index: Int) throws {
        let c = Self.cases[index]
        let encoder = try encoder(c.folder)
        let references = try Fixtures.references(c.references)
        let (shape, expected) = try Fixtures.matrix(c.vectors)
        try #require(shape == [references.count, encoder.dimension])
        // Odd batch size and two workers: batching and threading must not change results.
        let ours = encoder.encode(references.map(\.text), batchSize: 7, threads: 2)
        var worstCosine = 1.0, worstAbs = 0.0
        for i in 0..<references.count {
            let theirs = expected[(i * shape[1])..<((i + 1) * shape[1])]
            let (cosine, maxAbs) = compare(ours[i], theirs)
            worstCosine = min(worstCosine, cosine)
            worstAbs = max(worstAbs, maxAbs)
            #expect(cosine >= 0.99999 && maxAbs <= 1e-4, "sentence \(i) \(String(reflecting: references[i].text)): cosine \(cosine), max abs \(maxAbs)")
        }
        print("parity \(c.folder ?? "all-MiniLM-L6-v2"): \(references.count) sentences, worst cosine \(worstCosine), worst max abs \(worstAbs)")
    }

    @Test("a sentence embeds the same alone and inside any batch")
    func batchInvariance() throws {
        let encoder = try encoder(nil)
        let texts = try Fixtures.references("minilm/sentences.jsonl").prefix(40).map(\.text)
        let together = encoder.encode(Array(texts), batchSize: 40, threads: 1)
        for (i, text) in texts.enumerated() where i % 5 == 0 {
            let alone = encoder.encode([text], batchSize: 1, threads: 1)
            let (cosine, maxAbs) = compare(alone[0], together[i])
            #expect(cosine >= 0.999999 && maxAbs <= 1e-5)
        }
    }
}
