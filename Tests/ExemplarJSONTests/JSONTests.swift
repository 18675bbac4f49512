import ExemplarJSON
import Foundation
import Testing

/// The request parser and response writer, against Foundation's JSON where both apply.
@Suite struct JSONTests {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func parsesWhatJSONAllows() throws {
        #expect(try parse(#" {"a": [1, -2.5e3, true, false, null], "b": "x\"\\\/\n\u00e9\ud83d\ude00"} "#) == .object([
            ("a", .array([.number(1), .number(-2500), .bool(true), .bool(false), .null])),
            ("b", .string("x\"\\/\né😀")),
        ]))
        #expect(try parse("[]") == .array([]) && parse("{}") == .object([]))
        #expect(try parse(#""only a string""#) == .string("only a string"))
    }

    @Test func rejectsWhatJSONDoesNot() {
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "+1", ".5", "tru", "\"\\x\"", "\"\\ud800\"",
                    "\"a\u{0001}\"", "[1] [2]", "{'a': 1}", "NaN", String(repeating: "[", count: 100) + String(repeating: "]", count: 100)] {
            #expect(throws: JSONError.self, "\(bad.prefix(20))") { try parse(bad) }
        }
        #expect(throws: JSONError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }  // invalid UTF-8 in a string
    }

    @Test func writesWhatFoundationReadsBack() throws {
        let floats: [Float] = [0.1, -1e-8, 3.4028235e38, 1, 0, 123.456]
        let value = JSONValue.object([("s", .string("tab\t quote\" nl\n ctl\u{1} é")), ("n", .int(42)), ("d", .number(0.5)),
                                      ("f", .floats(floats)), ("x", .float(0.25)), ("inf", .floats([.infinity]))])
        let back = try JSONSerialization.jsonObject(with: Data(value.text.utf8)) as? [String: Any]
        #expect(back?["s"] as? String == "tab\t quote\" nl\n ctl\u{1} é")
        #expect(back?["n"] as? Int == 42)
        #expect((back?["f"] as? [NSNumber])?.map(\.floatValue) == floats)  // shortest form round-trips exactly
        #expect((back?["inf"] as? [Any])?.first is NSNull)
        #expect(try parse(value.text)["n"] == .number(42))
    }
}
