import ExemplarIO
import ExemplarTestSupport
import Foundation
import Testing

@Suite struct SentenceInputTests {
    func parse(_ s: String, _ format: InputFormat) throws(InputError) -> [String] {
        try SentenceInput.parse(Data(s.utf8), name: "in.jsonl", format: format).map(\.text)
    }

    @Test func jsonLines() throws {
        #expect(try parse("{\"text\": \"a\"}\n\n{\"text\": \"b\", \"label\": 1}\r\n", .jsonl) == ["a", "b"])
        let records = try SentenceInput.parse(Data("{\"text\":\"x\"}\n\n{\"text\":\"y\"}".utf8), name: "f", format: .jsonl)
        #expect(records.map(\.line) == [1, 3])
    }

    @Test func pairsReadTheSecondField() throws {
        let input = Data("{\"text\": \"a\", \"text_b\": \"b\"}\n{\"text\": \"c\"}\n".utf8)
        let records = try SentenceInput.parse(input, name: "q.jsonl", format: .jsonl, pairField: "text_b")
        #expect(records.map(\.text) == ["a", "c"] && records.map(\.textB) == ["b", nil])
        #expect(try SentenceInput.parse(input, name: "q.jsonl", format: .jsonl).allSatisfy { $0.textB == nil })
        #expect(throws: InputError.self) {
            try SentenceInput.parse(Data("{\"text\": \"a\", \"text_b\": 3}".utf8), name: "q.jsonl", format: .jsonl, pairField: "text_b")
        }
    }

    @Test func text() throws {
        #expect(try parse("one\n\ntwo\r\nthree", .text) == ["one", "", "two", "three"])
        #expect(try parse("", .text) == [])
    }

    @Test func errorsNameFileAndLine() {
        #expect(throws: InputError.notAnObject(file: "in.jsonl", line: 2)) { try parse("{\"text\":\"a\"}\n[1]\n", .jsonl) }
        #expect(throws: InputError.missingField(file: "in.jsonl", line: 1, field: "text")) { try parse("{\"txt\":\"a\"}", .jsonl) }
        #expect(throws: InputError.wrongType(file: "in.jsonl", line: 1, field: "text", expected: "a string")) { try parse("{\"text\":3}", .jsonl) }
        do {
            _ = try parse("{\"text\":\"a\"}\n{\"text\": \"b\"\n", .jsonl)
            Issue.record("malformed JSON accepted")
        } catch {
            #expect(error.description.hasPrefix("in.jsonl:2: malformed JSON"))
        }
        var bytes = Array("ok\nbad \u{e9}".utf8)
        bytes[bytes.count - 2] = 0xFF   // break the UTF-8 of line 2
        #expect(throws: InputError.invalidUTF8(file: "x.txt", line: 2)) {
            try SentenceInput.parse(Data(bytes), name: "x.txt", format: .text)
        }
        #expect(throws: InputError.self) { try SentenceInput.read(path: "/nonexistent/in.txt", format: .text) }
    }

    @Test func formatInference() {
        #expect(InputFormat.inferred(from: "a.jsonl") == .jsonl)
        #expect(InputFormat.inferred(from: "a.txt") == .text)
    }
}

@Suite struct OutputTests {
    @Test func npyRoundTrip() throws {
        let values: [Float] = [1, -2.5, 3.25, 0, .pi, -0.001]
        let bytes = NPY.encode(values, rows: 2, columns: 3)
        #expect(bytes.count % 16 == 0 || (bytes.count - 24) % 4 == 0)
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        let decoded = try #require(NPY.decode(bytes))
        #expect(decoded.shape == [2, 3] && decoded.values == values)
    }

    @Test func jsonLine() {
        #expect(JSONLines.arrayLine(key: "ids", values: [Int32(101), 102]) == "{\"ids\":[101,102]}\n")
        #expect(JSONLines.quoted("a\"b\\\n\u{1}") == "\"a\\\"b\\\\\\n\\u0001\"")
    }

    @Test func outputAppearsOnlyWhenCommitted() throws {
        let dir = try TemporaryFolder.create("out")
        defer { TemporaryFolder.remove(dir) }
        let path = dir.appendingPathComponent("out.jsonl").path
        var discarded = try OutputFile(path: path)
        try discarded.write("partial")
        discarded.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        var file = try OutputFile(path: path)
        try file.write("done\n")
        #expect(!FileManager.default.fileExists(atPath: path))
        try file.commit()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "done\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.jsonl"])
    }
}
