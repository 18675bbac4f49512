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

    @Test func numbersAreExactAndFieldRangesPointAtValues() throws {
        for text in ["0", "-0", "7", "-42", "123456789012345", "1234567890123456", "9007199254740993", "-9007199254740993",
                     "1.5", "1e2", "-2.5E-3", "12345678901234567890"] {
            let value = try parse(text)
            #expect(value == .number(Double(text)!), "\(text)")
            #expect(value.numberValue?.sign == Double(text)!.sign, "\(text)")
        }
        let bytes = Array(#" {"a": 1.0, "b" : [1, {"c": 2}], "d":"x"} "#.utf8)
        var ranges: [Range<Int>] = []
        let value = try bytes.withUnsafeBufferPointer { (b) throws(JSONError) -> JSONValue in try JSONParser.parse(b, fieldRanges: &ranges) }
        #expect(value == (try parse(String(decoding: bytes, as: UTF8.self))))
        #expect(ranges.map { String(decoding: bytes[$0], as: UTF8.self) } == ["1.0", #"[1, {"c": 2}]"#, #""x""#])
        _ = try [UInt8]("[1]".utf8).withUnsafeBufferPointer { (b) throws(JSONError) -> JSONValue in try JSONParser.parse(b, fieldRanges: &ranges) }
        #expect(ranges.isEmpty)
    }

    @Test func writesFloatsAsDescription() {
        let floats: [Float] = [0.1, -1e-8, 3.4028235e38, 1, 0, -0.0, 123.456, 1e-45, .nan, -.infinity]
        var out: [UInt8] = []
        JSONValue.writeFloats(floats[2...], to: &out)
        #expect(JSONValue.floats(floats).text == "[" + floats.map { $0.isFinite ? $0.description : "null" }.joined(separator: ",") + "]")
        #expect(String(decoding: out, as: UTF8.self) == JSONValue.floats(Array(floats[2...])).text)
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
