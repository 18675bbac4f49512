import ExemplarIO
import ExemplarTestSupport
import Foundation
import Testing

/// `exemplar build --vectors`: vectors made elsewhere, imported instead of embedded.
@Suite struct VectorImportTests {
    let cli = CLIRunner()
    var tiny: String { Fixtures.url("tiny-bert-max").path }

    @Test func importedVectorsBuildTheSameIndexWithoutEmbedding() throws {
        let dir = try TemporaryFolder.create("vectors")
        defer { TemporaryFolder.remove(dir) }
        let texts = (0..<60).map { "example \($0) " + String(repeating: ["good ", "bad ", "dull ", "great "][$0 % 4], count: 1 + $0 % 5) }
        let data = dir.appendingPathComponent("data.jsonl")
        try Data(texts.enumerated().map { #"{"text": "\#($1)", "label": "\#(["x", "y"][$0 % 2])"}"# + "\n" }.joined().utf8).write(to: data)
        try Data((texts.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("texts.txt"))
        let npy = dir.appendingPathComponent("v.npy")
        #expect(try cli.run(["embed", "--input", dir.appendingPathComponent("texts.txt").path, "--output", npy.path, "--model", tiny]).status == 0)

        let embedded = dir.appendingPathComponent("a").path, imported = dir.appendingPathComponent("b").path
        #expect(try cli.run(["build", "--data", data.path, "--out", embedded, "--model", tiny]).status == 0)
        let built = try cli.run(["build", "--data", data.path, "--out", imported, "--model", tiny, "--vectors", npy.path, "--json"])
        #expect(built.status == 0, "\(built.stderr)")
        let report = try JSONSerialization.jsonObject(with: built.stdout) as? [String: Any]
        #expect(report?["embedded"] as? Int == 0 && report?["from_cache"] as? Int == 60)
        #expect(built.stderr.contains("imported vectors for 60 records"))
        let query = ["query", "great good", "--per-class", "--k", "3", "--json", "--model", tiny]
        let a = try cli.run([query[0], embedded] + query.dropFirst())
        let b = try cli.run([query[0], imported] + query.dropFirst())
        #expect(a.status == 0 && b.status == 0)
        // The same hits; scores within float noise (embed and build batch the texts differently).
        func hits(_ out: String) throws -> [(Int, Double)] {
            let object = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
            return (object?["results"] as? [[String: Any]] ?? []).flatMap { ($0["hits"] as? [[String: Any]] ?? []).map { ($0["id"] as? Int ?? -1, $0["score"] as? Double ?? 0) } }
        }
        let (ha, hb) = (try hits(a.out), try hits(b.out))
        #expect(ha.count == 6 && ha.map(\.0) == hb.map(\.0))
        #expect(zip(ha, hb).allSatisfy { abs($0.1 - $1.1) < 1e-5 })

        // Rows in another order than the data's: the sampled check refuses them, naming the file.
        let (shape, values) = try #require(NPY.decode([UInt8](Data(contentsOf: npy))))
        let dim = shape[1]
        var reversed: [Float] = []
        for row in (0..<shape[0]).reversed() { reversed += values[(row * dim)..<((row + 1) * dim)] }
        let shuffled = dir.appendingPathComponent("shuffled.npy")
        try Data(NPY.encode(reversed, rows: shape[0], columns: dim)).write(to: shuffled)
        let bad = try cli.run(["build", "--data", data.path, "--out", dir.appendingPathComponent("c").path, "--model", tiny, "--vectors", shuffled.path])
        #expect(bad.status == 2 && bad.stderr.contains("shuffled.npy: row") && bad.stderr.contains("not the data's rows"), "\(bad.stderr)")
        // --vectors-check 0 trusts the file (synthetic vectors): it builds.
        let trusted = try cli.run(["build", "--data", data.path, "--out", dir.appendingPathComponent("t").path, "--model", tiny,
                                   "--vectors", shuffled.path, "--vectors-check", "0"])
        #expect(trusted.status == 0 && trusted.stderr.contains("not checked"), "\(trusted.stderr)")
        // Too few rows, another width, not an .npy at all.
        let short = dir.appendingPathComponent("short.npy")
        try Data(NPY.encode(Array(values.prefix(10 * dim)), rows: 10, columns: dim)).write(to: short)
        let wide = dir.appendingPathComponent("wide.npy")
        try Data(NPY.encode(Array(repeating: 0.5, count: 60 * 7), rows: 60, columns: 7)).write(to: wide)
        let junk = dir.appendingPathComponent("junk.npy")
        try Data("not numpy".utf8).write(to: junk)
        for (file, message) in [(short, "has 10 rows for 60 records"), (wide, "has 7 columns"), (junk, "is not a 2-D float32")] {
            let r = try cli.run(["build", "--data", data.path, "--out", dir.appendingPathComponent("d").path, "--model", tiny, "--vectors", file.path])
            #expect(r.status == 2 && r.stderr.contains(message), "\(r.stderr)")
        }
    }
}
