import ExemplarData
import ExemplarDemos
import Foundation
import Testing

/// topk-dpp and TopK against OpenICL's own retrievers on the same embeddings (fixtures made by
/// scripts/check-openicl, which runs OpenICL's code; no Python here).
@Suite struct TopKDPPTests {
    /// Each test query's demonstration ids under `request`.
    func selections(_ name: String, _ fixture: OpenICLFixture, _ request: DemoRequest) throws -> [[Int]] {
        let source = try fixture.source(name)
        let demos = try request.makeDemos(source)
        return try source.exact.records.filter { $0.split == "test" }.map { record in
            try demos.select(demos.query(record: record.id)).flatMap { $0.demonstrations.map { Int($0.record.id) } }
        }
    }

    func request(_ fixture: OpenICLFixture, mode: TopKDPP.Mode = .map) -> DemoRequest {
        var r = DemoRequest()
        r.policy = .topkDPP
        r.k = fixture.k
        r.candidateNum = fixture.candidates
        r.scaleFactor = fixture.scaleFactor
        r.dppMode = mode
        r.seed = fixture.seed
        return r
    }

    @Test(arguments: OpenICLFixture.names) func greedyMAPIsOpenICLs(_ name: String) throws {
        let fixture = try OpenICLFixture.load(name)
        #expect(try selections(name, fixture, request(fixture)) == fixture.dppMap)
    }

    @Test(arguments: OpenICLFixture.names) func kDPPSampleIsDppysDraw(_ name: String) throws {
        let fixture = try OpenICLFixture.load(name)
        let ours = try selections(name, fixture, request(fixture, mode: .sample))
        for (q, expected) in fixture.dppSample.enumerated() {
            guard let expected else { continue }
            #expect(ours[q] == expected, "query \(q)")
        }
        #expect(fixture.dppSample.compactMap { $0 }.count >= 6, "dppy drew for most queries")
    }

    @Test(arguments: OpenICLFixture.names) func topKIsOpenICLs(_ name: String) throws {
        let fixture = try OpenICLFixture.load(name)
        var r = DemoRequest()
        r.policy = .inContext
        r.order = .nearest
        r.count = fixture.k
        #expect(try selections(name, fixture, r) == fixture.topk)
    }

    @Test func perClassChoosesKOfEachLabelMostRelevantFirst() throws {
        let name = "trec-16-42"
        let fixture = try OpenICLFixture.load(name)
        var r = request(fixture)
        r.perClass = true
        r.k = 2
        r.candidateNum = 5
        let source = try fixture.source(name)
        let demos = try r.makeDemos(source)
        let labels = source.grouping.groupNames
        for record in source.exact.records where record.split == "test" {
            let sample = try demos.select(demos.query(record: record.id))[0].demonstrations
            #expect(sample.map(\.record.label) == labels.flatMap { [$0, $0] })
            for pair in stride(from: 0, to: sample.count, by: 2) {
                #expect(sample[pair].similarity >= sample[pair + 1].similarity)
            }
        }
    }

    /// Greedy MAP by brute force: each step adds the candidate that maximises det(L_S) (float64),
    /// on the same kernel; the ids must match (the fixture's queries have no near-ties).
    @Test func greedyMAPMaximisesTheDeterminantStepByStep() throws {
        let name = "SST-2-16-42"
        let fixture = try OpenICLFixture.load(name)
        let source = try fixture.source(name)
        let (vectors, d) = try OpenICLFixture.train(name)
        let n = vectors.count / d
        let unit: [[Double]] = (0..<n).map { i in
            let v = vectors[(i * d)..<((i + 1) * d)].map(Double.init)
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / norm }
        }
        var r = request(fixture)
        r.candidateNum = n
        let demos = try r.makeDemos(source)
        for record in source.exact.records where record.split == "test" {
            let query = demos.query(record: record.id)
            let qn = query.vector.map(Double.init).reduce(0) { $0 + $1 * $1 }.squareRoot()
            let q = query.vector.map { Double($0) / qn }
            let rel0 = unit.map { u in (zip(u, q).reduce(0) { $0 + $1.0 * $1.1 } + 1) / 2 }
            let top = rel0.max()!
            let rel = rel0.map { Foundation.exp(($0 - top) / 0.2) }
            func kernel(_ i: Int, _ j: Int) -> Double { rel[i] * rel[j] * (zip(unit[i], unit[j]).reduce(0) { $0 + $1.0 * $1.1 } + 1) / 2 }
            var chosen: [Int] = []
            for _ in 0..<fixture.k {
                let best = (0..<n).filter { !chosen.contains($0) }.max { a, b in
                    determinant(chosen + [a], kernel) < determinant(chosen + [b], kernel)
                }!
                chosen.append(best)
            }
            let ours = try demos.select(query)[0].demonstrations.map { Int($0.record.id) }
            #expect(Set(ours) == Set(chosen))
        }
    }

    func determinant(_ items: [Int], _ kernel: (Int, Int) -> Double) -> Double {
        var m = items.map { i in items.map { j in kernel(i, j) } }
        var det = 1.0
        for c in 0..<m.count {
            guard let p = (c..<m.count).max(by: { abs(m[$0][c]) < abs(m[$1][c]) }), m[p][c] != 0 else { return 0 }
            if p != c { m.swapAt(p, c); det = -det }
            det *= m[c][c]
            for r in (c + 1)..<m.count {
                let f = m[r][c] / m[c][c]
                for k in c..<m.count { m[r][k] -= f * m[c][k] }
            }
        }
        return det
    }

    @Test func badOptionsNameTheOption() throws {
        var r = DemoRequest()
        r.policy = .topkDPP
        r.k = 8
        r.candidateNum = 4
        #expect(throws: DemoError.self) { try r.selectionPolicy() }
        do { _ = try r.selectionPolicy() } catch {
            #expect(error.field == "candidate_num")
            #expect(error.description(naming: \.option).hasPrefix("--candidate-num 4: must be at least k (8)"))
        }
        r.candidateNum = nil
        r.scaleFactor = 0
        do { _ = try r.selectionPolicy(); Issue.record("scale_factor 0 accepted") } catch { #expect(error.field == "scale_factor") }
        r.scaleFactor = nil
        r.dppMode = .sample
        r.seed = UInt64(UInt32.max) + 1
        do { _ = try r.selectionPolicy(); Issue.record("a seed numpy refuses accepted") } catch { #expect(error.field == "seed") }
        r.seed = 42
        #expect(try r.selectionPolicy() == .topkDPP(TopKDPP(k: 8, candidates: 100, scaleFactor: 0.1, mode: .sample)))
    }
}
