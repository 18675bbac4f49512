import ExemplarTestSupport
import Foundation
import Testing

/// `exemplar demos --policy bm25` against OpenICL's own BM25Retriever (ice_idx) and rank_bm25's
/// scores on the same rows: Tests/Fixtures/openicl/*-16-42/bm25.json, written by
/// `scripts/check-bm25 --fixtures` (k-shot 16 seed 42 train as the index split, 8 test queries).
@Suite struct BM25PolicyTests {
    let cli = CLIRunner()
    var tiny: String { Fixtures.url("tiny-bert-max").path }

    struct Reference {
        let iceNum: Int
        let iceIdx: [[Int]]
        let labels: [String]
        let scores: [[Double]]
    }

    func reference(_ folder: String) throws -> Reference {
        let data = try Data(contentsOf: Fixtures.url("openicl/\(folder)/bm25.json"))
        let o = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return Reference(iceNum: try #require(o["ice_num"] as? Int), iceIdx: try #require(o["ice_idx"] as? [[Int]]),
                         labels: try #require(o["labels"] as? [String]),
                         scores: try #require(o["scores"] as? [[Double]]))
    }

    func build(_ folder: String, task: String, in dir: URL) throws -> String {
        let index = dir.appendingPathComponent(folder).path
        let r = try cli.run(["build", "--data", Fixtures.url("openicl/\(folder)").path, "--task", task, "--out", index, "--model", tiny])
        try #require(r.status == 0, "\(r.stderr)")
        return index
    }

    /// Positions sorted by rank_bm25's score, best first, ties by lower position.
    func ranked(_ scores: [Double]) -> [Int] {
        scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
    }

    @Test(arguments: [("SST-2-16-42", "SST-2"), ("RTE-16-42", "RTE"), ("trec-16-42", "trec")])
    func allLabelsIsOpenICLsBM25Retriever(folder: String, task: String) throws {
        let dir = try TemporaryFolder.create("bm25-policy")
        defer { TemporaryFolder.remove(dir) }
        let ref = try reference(folder)
        let index = try build(folder, task: task, in: dir)
        let r = try cli.run(["demos", index, "--queries", "test", "--policy", "bm25", "--all-labels", "--k", "\(ref.iceNum)", "--format", "ice-idx"])
        try #require(r.status == 0, "\(r.stderr)")
        let ours = try #require(JSONSerialization.jsonObject(with: r.stdout) as? [[Int]])
        #expect(ours.count == ref.iceIdx.count && !ours.isEmpty)
        for (q, (mine, theirs)) in zip(ours, ref.iceIdx).enumerated() {
            let s = ref.scores[q]
            // The same scores in the same order (OpenICL's argsort may order exact ties otherwise),
            // and our tie order is the lower position first.
            #expect(mine.map { s[$0] } == theirs.map { s[$0] }, "query \(q): \(mine) vs OpenICL \(theirs)")
            #expect(mine == Array(ranked(s).prefix(ref.iceNum)), "query \(q)")
        }
    }

    @Test func perLabelTakesEachLabelsBestInLabelOrder() throws {
        let dir = try TemporaryFolder.create("bm25-policy")
        defer { TemporaryFolder.remove(dir) }
        let ref = try reference("RTE-16-42")
        let index = try build("RTE-16-42", task: "RTE", in: dir)
        let r = try cli.run(["demos", index, "--queries", "test", "--policy", "bm25", "--k", "2", "--format", "ice-idx"])
        try #require(r.status == 0, "\(r.stderr)")
        let ours = try #require(JSONSerialization.jsonObject(with: r.stdout) as? [[Int]])
        #expect(ours.count == ref.scores.count)
        for (q, mine) in ours.enumerated() {
            let order = ranked(ref.scores[q])
            let expected = ["entailment", "not_entailment"].flatMap { label in order.filter { ref.labels[$0] == label }.prefix(2) }
            #expect(mine == expected, "query \(q)")
        }
        // With a template, the context is the LM-BFF per-label layout (two per label).
        let t = try cli.run(["demos", index, "--queries", "test", "--policy", "bm25", "--k", "2", "--template", "lmbff", "--limit", "1"])
        #expect(t.status == 0, "\(t.stderr)")
        let line = try #require(JSONSerialization.jsonObject(with: t.stdout) as? [String: Any])
        #expect((line["demonstrations"] as? [[String: Any]])?.compactMap { $0["label"] as? String } == ["entailment", "entailment", "not_entailment", "not_entailment"])
    }

    @Test func aSourceWithoutPostingsIsRefusedNamingTheFix() throws {
        let r = try cli.run(["demos", "--data", Fixtures.url("openicl/SST-2-16-42").path, "--task", "SST-2", "--embeddings", "sbert-check",
                             "--queries", "test", "--policy", "bm25"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--policy bm25") && r.stderr.contains("no") && r.stderr.contains("exemplar build"), "\(r.stderr)")
        let both = try cli.run(["demos", "--data", Fixtures.url("openicl/SST-2-16-42").path, "--task", "SST-2", "--embeddings", "sbert-check",
                                "--queries", "test", "--policy", "bm25", "--per-class", "--all-labels"])
        #expect(both.status == 2 && both.stderr.contains("--all-labels"), "\(both.stderr)")
    }

    @Test func evaluateDemosTakesBM25() throws {
        let dir = try TemporaryFolder.create("bm25-policy")
        defer { TemporaryFolder.remove(dir) }
        let index = try build("SST-2-16-42", task: "SST-2", in: dir)
        let r = try cli.run(["evaluate-demos", index, "--queries", "test", "--policies", "bm25,bm25:per_class=false:k=4", "--json"])
        try #require(r.status == 0, "\(r.stderr)")
        let o = try #require(JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        let policies = try #require(o["policies"] as? [[String: Any]])
        #expect(policies.count == 2)
        // Default lists leave bm25 out for a source with no postings.
        let lmbff = try cli.run(["evaluate-demos", "--data", Fixtures.url("openicl/SST-2-16-42").path, "--task", "SST-2",
                                 "--embeddings", "sbert-check", "--queries", "test", "--json"])
        #expect(lmbff.status == 0, "\(lmbff.stderr)")
    }

    /// `--bm25-weight W`: ranked by W x rank_bm25's score min-max scaled over the support set +
    /// (1 - W) x cosine; W 1 is BM25's order, W 0 the cosine order.
    @Test func hybridWeightMixesScaledBM25WithCosine() throws {
        let dir = try TemporaryFolder.create("bm25-policy")
        defer { TemporaryFolder.remove(dir) }
        let ref = try reference("SST-2-16-42")
        let index = try build("SST-2-16-42", task: "SST-2", in: dir)
        let n = ref.scores[0].count
        func demos(_ weight: String, k: Int, format: String) throws -> Data {
            let r = try cli.run(["demos", index, "--queries", "test", "--policy", "bm25", "--all-labels", "--k", "\(k)",
                                 "--bm25-weight", weight, "--format", format, "--limit", "4"])
            try #require(r.status == 0, "\(r.stderr)")
            return r.stdout
        }
        // Every support position's cosine to each query: all n demonstrations at W 0, in cosine order.
        let positions = try #require(JSONSerialization.jsonObject(with: try demos("0", k: n, format: "ice-idx")) as? [[Int]])
        let lines = String(decoding: try demos("0", k: n, format: "jsonl"), as: UTF8.self).split(separator: "\n")
        #expect(positions.count == 4 && lines.count == 4)
        var cosines: [[Double]] = []
        for (q, line) in lines.enumerated() {
            let o = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let similarities = try #require((o["demonstrations"] as? [[String: Any]])?.compactMap { $0["similarity"] as? Double })
            #expect(similarities.count == n - 0 && similarities == similarities.sorted(by: >), "query \(q): W 0 is the cosine order")
            var row = [Double](repeating: .nan, count: n)
            for (position, similarity) in zip(positions[q], similarities) { row[position] = similarity }
            cosines.append(row)
        }
        let bm25Only = try #require(JSONSerialization.jsonObject(with: try demos("1", k: 4, format: "ice-idx")) as? [[Int]])
        let mixed = try #require(JSONSerialization.jsonObject(with: try demos("0.5", k: 4, format: "ice-idx")) as? [[Int]])
        for q in 0..<4 {
            #expect(bm25Only[q] == Array(ranked(ref.scores[q]).prefix(4)), "query \(q): W 1 is BM25's order")
            let s = ref.scores[q], lo = s.min()!, hi = s.max()!
            let hybrid = s.indices.map { 0.5 * (hi > lo ? (s[$0] - lo) / (hi - lo) : 0) + 0.5 * cosines[q][$0] }
            #expect(mixed[q] == Array(ranked(hybrid).prefix(4)), "query \(q): \(mixed[q]) vs \(Array(ranked(hybrid).prefix(4)))")
        }
        let bad = try cli.run(["demos", index, "--queries", "test", "--policy", "bm25", "--bm25-weight", "1.5"])
        #expect(bad.status == 2 && bad.stderr.contains("--bm25-weight"), "\(bad.stderr)")
        let other = try cli.run(["demos", index, "--queries", "test", "--policy", "nearest", "--bm25-weight", "0.5"])
        #expect(other.status == 2 && other.stderr.contains("--bm25-weight") && other.stderr.contains("bm25"), "\(other.stderr)")
    }
}
