import ExemplarJSON
import ExemplarLexical
import ExemplarTestSupport
import Foundation
import Testing

/// The Swift word tokenizer against nltk 3.10.4's `word_tokenize` (fixture made by
/// scripts/check-bm25-tokenizer --write-fixture from the data sets and seeded random strings).
@Suite struct WordTokenizerTests {
    @Test func matchesNLTKOnEveryFixtureText() throws {
        let lines = try String(contentsOf: Fixtures.url("bm25/word-tokenize.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 700)
        let tokenizer = WordTokenizer()
        var wrong: [String] = []
        for line in lines {
            let row = try JSONReader(bytes: Array(line.utf8))
            let text = try #require(try row.string("text"))
            let expected = try #require(row.field("tokens")?.arrayValue).compactMap(\.stringValue)
            let ours = tokenizer.tokenize(text)
            if ours != expected { wrong.append("\(text.debugDescription): \(ours) != \(expected)") }
        }
        #expect(wrong.isEmpty, "\(wrong.count) differ, first: \(wrong.prefix(3))")
    }

    @Test func sentencesAndTreebankRules() {
        let t = WordTokenizer()
        // Punkt ends the sentence after "Yet." (a period inside a pair text) but not after "Mr.".
        #expect(t.tokenize("No Weapons Found Yet. Weapons Found.") == ["No", "Weapons", "Found", "Yet", ".", "Weapons", "Found", "."])
        #expect(t.tokenize("Mr. Smith can't go.") == ["Mr.", "Smith", "ca", "n't", "go", "."])
        // Treebank alone leaves a period inside a sentence attached.
        #expect(TreebankWordTokenizer().tokenize("Good movie. Bad end.") == ["Good", "movie.", "Bad", "end", "."])
        #expect(t.tokenize("\"Hi,\" she said -- gonna (maybe)!") == ["``", "Hi", ",", "''", "she", "said", "--", "gon", "na", "(", "maybe", ")", "!"])
        #expect(t.tokenize("") == [])
    }
}
