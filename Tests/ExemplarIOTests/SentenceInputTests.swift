import ExemplarIO
import ExemplarData
import ExemplarJSON
import ExemplarTestSupport
import Foundation
import Testing

@Suite struct SentenceInputTests {
    func parse(_ s: String, _ format: InputFormat) throws(DataError) -> [String] {
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
        #expect(throws: DataError.self) {
            try SentenceInput.parse(Data("{\"text\": \"a\", \"text_b\": 3}".utf8), name: "q.jsonl", format: .jsonl, pairField: "text_b")
        }
    }

    @Test func text() throws {
        #expect(try parse("one\n\ntwo\r\nthree", .text) == ["one", "", "two", "three"])
        #expect(try parse("", .text) == [])
    }

    @Test func errorsNameFileAndLine() {
        #expect(throws: DataError.notAnObject(file: "in.jsonl", line: 2)) { try parse("{\"text\":\"a\"}\n[1]\n", .jsonl) }
        #expect(throws: DataError.missingField(file: "in.jsonl", line: 1, field: "text")) { try parse("{\"txt\":\"a\"}", .jsonl) }
        #expect(throws: DataError.wrongType(file: "in.jsonl", line: 1, field: "text", expected: "a string")) { try parse("{\"text\":3}", .jsonl) }
        do {
            _ = try parse("{\"text\":\"a\"}\n{\"text\": \"b\"\n", .jsonl)
            Issue.record("malformed JSON accepted")
        } catch {
            #expect(error.description.hasPrefix("in.jsonl:2: malformed JSON"))
        }
        var bytes = Array("ok\nbad \u{e9}".utf8)
        bytes[bytes.count - 2] = 0xFF   // break the UTF-8 of line 2
        #expect(throws: DataError.invalidUTF8(file: "x.txt", line: 2)) {
            try SentenceInput.parse(Data(bytes), name: "x.txt", format: .text)
        }
        #expect(throws: DataError.self) { try SentenceInput.read(path: "/nonexistent/in.txt", format: .text) }
    }

    @Test func jsonLinesEdgeCases() throws {
        // A byte order mark, a line of Unicode spaces, escapes, repeated keys (the last wins).
        let text = "\u{FEFF}{\"text\": \"a\"}\n\u{3000}\u{A0} \n{\"text\": \"\\u00e9\\n\", \"text\": \"b\\u00e9\"}\n"
        #expect(try parse(text, .jsonl) == ["a", "b\u{e9}"])
        #expect(throws: DataError.wrongType(file: "in.jsonl", line: 1, field: "text", expected: "a string")) { try parse(#"{"text":null}"#, .jsonl) }
        var bytes = Array(#"{"text": "caf\#u{e9}"}"#.utf8)
        bytes[bytes.count - 3] = 0xFF   // invalid UTF-8 inside the JSON string
        #expect(throws: DataError.invalidUTF8(file: "q.jsonl", line: 1)) {
            try SentenceInput.parse(Data(bytes), name: "q.jsonl", format: .jsonl)
        }
        #expect(throws: DataError.malformedJSON(file: "q.jsonl", line: 1, reason: "expected a string key at byte 1")) {
            try SentenceInput.parse(Data("{text}".utf8), name: "q.jsonl", format: .jsonl)
        }
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
        #expect(JSONValue.object([("ids", .array([Int32(101), 102].map { .int(Int($0)) }))]).text + "\n" == "{\"ids\":[101,102]}\n")
        #expect(JSONValue.string("a\"b\\\n\u{1}").text == "\"a\\\"b\\\\\\n\\u0001\"")
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
