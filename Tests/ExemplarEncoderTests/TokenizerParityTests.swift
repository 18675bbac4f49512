import ExemplarEncoder
import ExemplarJSON
import ExemplarTestSupport
import Foundation
import Testing

/// Every tokenizer in Tests/Fixtures/tokenizers (scripts/make-tokenizer-fixtures.py) against
/// the ids Hugging Face tokenizers gave the same 3,166 inputs: seeded random Unicode,
/// multilingual text, data sentences and inputs that truncate.
@Suite struct TokenizerParityTests {
    static let names = ["bpe-roberta", "unigram-xlmr", "unigram-variants", "bpe-wordlevel", "bpe-llama", "bpe-split",
                        "wordpiece-split", "mpnet", "minilm"]

    static func inputs() throws -> [String] {
        let data = try Data(contentsOf: Fixtures.url("tokenizers/inputs.jsonl"))
        return try data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast().map { line in
            let value = try [UInt8](line).withUnsafeBufferPointer { try JSONParser.parse($0) }
            guard case .string(let s) = value else { throw CocoaError(.fileReadCorruptFile) }
            return s
        }
    }

    @Test(arguments: names)
    func idsMatchHuggingFace(name: String) throws {
        let folder = name == "minilm" ? try Fixtures.realModelFolder() : Fixtures.url("tokenizers/\(name)")
        let limit = try String(contentsOf: Fixtures.url("tokenizers/\(name)/max_length"), encoding: .utf8)
        let tokenizer = try Tokenizer.load(folder: folder, maxLength: try #require(Int(limit.trimmingCharacters(in: .whitespacesAndNewlines))))
        let texts = try Self.inputs()
        let expected = try String(contentsOf: Fixtures.url("tokenizers/\(name)/ids.txt"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            .map { $0.split(separator: " ").map { Int32($0)! } }
        #expect(texts.count == expected.count)
        var mismatches = 0
        for (text, ids) in zip(texts, expected) {
            let ours = tokenizer.encode(text)
            if ours != ids {
                mismatches += 1
                if mismatches <= 5 {
                    Issue.record("\(name): \(text.debugDescription)\n ours \(ours)\n HF   \(ids)")
                }
            }
        }
        #expect(mismatches == 0, "\(name): \(mismatches) of \(texts.count) inputs differ")
    }
}
