import ExemplarIO
import ExemplarTestSupport
import Foundation
import Testing

/// Runs the real `exemplar` binary as a user would: exit codes, messages, output files.
@Suite struct CLITests {
    let cli = CLIRunner()

    @Test func help() throws {
        let top = try cli.run(["--help"])
        #expect(top.status == 0 && top.out.contains("embed") && top.out.contains("tokenize"))
        for command in ["embed", "tokenize", "similarity"] {
            let r = try cli.run([command, "--help"])
            #expect(r.status == 0 && r.out.contains("USAGE: exemplar \(command)") && r.out.contains("--model"))
        }
        #expect(try cli.run([]).status == 2)
        let unknown = try cli.run(["embed", "--modle", "x"])
        #expect(unknown.status == 2 && unknown.stderr.contains("--modle") && unknown.stderr.contains("--model"))
        #expect(try cli.run(["frobnicate"]).status == 2)
        #expect(try cli.run(["embed", "--threads", "0"]).status == 2)
    }

    @Test func embedJSONLinesAndNPYAgree() throws {
        let dir = try TemporaryFolder.create("cli")
        defer { TemporaryFolder.remove(dir) }
        let input = dir.appendingPathComponent("in.jsonl")
        try Data("{\"text\": \"a gripping thriller .\"}\n{\"text\": \"\"}\n{\"text\": \"warm and funny .\", \"id\": 7}\n".utf8).write(to: input)
        let jsonl = try cli.run(["embed", "--input", input.path])
        #expect(jsonl.status == 0, "\(jsonl.stderr)")
        let rows = jsonl.stdout.split(separator: UInt8(ascii: "\n")).map { line in
            ((try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any])?["embedding"] as? [Double] ?? []
        }
        #expect(rows.count == 3 && rows.allSatisfy { $0.count == 384 })
        let npyPath = dir.appendingPathComponent("out.npy").path
        let npy = try cli.run(["embed", "--input", input.path, "--output", npyPath, "--threads", "1", "--batch-size", "2"])
        #expect(npy.status == 0, "\(npy.stderr)")
        let decoded = try #require(NPY.decode([UInt8](Data(contentsOf: URL(fileURLWithPath: npyPath)))))
        #expect(decoded.shape == [3, 384])
        for r in 0..<3 {
            for c in 0..<384 { #expect(abs(Double(decoded.values[r * 384 + c]) - rows[r][c]) < 1e-6) }
        }
        // Plain text from standard input gives the same first row (batching may move the
        // last float bits: batch composition changes GEMM blocking).
        let text = try cli.run(["embed", "--input-format", "text"], stdin: Data("a gripping thriller .\n".utf8))
        #expect(text.status == 0 && text.out.split(separator: "\n").count == 1)
        let alone = ((try? JSONSerialization.jsonObject(with: text.stdout)) as? [String: Any])?["embedding"] as? [Double] ?? []
        #expect(alone.count == 384 && zip(alone, rows[0]).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func tokenize() throws {
        let r = try cli.run(["tokenize"], stdin: Data("Hello, world!\n".utf8))
        #expect(r.status == 0 && r.out == "{\"ids\":[101,7592,1010,2088,999,102]}\n")
    }

    @Test("bad input: exit 2, one line naming file and line, no output file left behind")
    func badInput() throws {
        let dir = try TemporaryFolder.create("cli")
        defer { TemporaryFolder.remove(dir) }
        let cases: [(name: String, bytes: [UInt8], message: String)] = [
            ("utf8.txt", Array("fine\n".utf8) + [0x62, 0xC3, 0x28, 0x0A], "utf8.txt:2: invalid UTF-8"),
            ("array.jsonl", Array("{\"text\": \"ok\"}\n[\"not an object\"]\n".utf8), "array.jsonl:2: expected a JSON object"),
            ("notext.jsonl", Array("{\"text\": \"ok\"}\n{\"text\": \"ok\"}\n{\"sentence\": \"x\"}\n".utf8), "notext.jsonl:3: missing field \"text\""),
            ("broken.jsonl", Array("{\"text\": \"ok\"\n".utf8), "broken.jsonl:1: malformed JSON"),
        ]
        for c in cases {
            let input = dir.appendingPathComponent(c.name)
            try Data(c.bytes).write(to: input)
            let output = dir.appendingPathComponent(c.name + ".npy")
            let r = try cli.run(["embed", "--input", input.path, "--output", output.path])
            #expect(r.status == 2, "\(c.name): status \(r.status)")
            #expect(r.stderr.contains(c.message), "\(c.name): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: output.path))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("partial") }.isEmpty)
        let missing = try cli.run(["embed", "--input", dir.appendingPathComponent("nope.txt").path])
        #expect(missing.status == 2 && missing.stderr.contains("nope.txt"))
    }

    @Test("a missing or truncated model: exit 2 with what to do")
    func badModel() throws {
        let dir = try TemporaryFolder.create("cli")
        defer { TemporaryFolder.remove(dir) }
        let absent = try cli.run(["embed"], stdin: Data("x\n".utf8), environment: ["EXEMPLAR_MODEL": dir.appendingPathComponent("none").path])
        #expect(absent.status == 2 && absent.stderr.contains("scripts/fetch-model"), "\(absent.stderr)")

        let model = dir.appendingPathComponent("model")
        try FileManager.default.copyItem(at: Fixtures.url("tiny-bert-cls"), to: model)
        let weights = model.appendingPathComponent("model.safetensors")
        try Data(contentsOf: weights).prefix(3000).write(to: weights)
        let output = dir.appendingPathComponent("out.jsonl")
        let truncated = try cli.run(["embed", "--model", model.path, "--output", output.path], stdin: Data("x\n".utf8))
        #expect(truncated.status == 2 && truncated.stderr.contains("model.safetensors") && truncated.stderr.contains("truncated"), "\(truncated.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test func similarity() throws {
        let r = try cli.run(["similarity", "--json"], stdin: Data("The cat sat on the mat.\nA kitten sat on a rug.\nStocks fell sharply.\n".utf8))
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        let sim = try #require(object["similarity"] as? [[Double]])
        #expect(sim.count == 3 && abs(sim[0][0] - 1) < 1e-3 && sim[0][1] > sim[0][2])
    }
}
