@testable import ExemplarEncoder
import ExemplarTestSupport
import Testing

/// The tokenizer's stages on hand-made cases (parity with Hugging Face is in ParityTests).
@Suite struct TokenizerTests {
    func normalized(_ text: String, _ n: BertNormalizer = BertNormalizer()) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: n.normalize(Substring(text)))
        return String(v)
    }

    @Test func normalizer() {
        #expect(normalized("Café NAÏVE") == "cafe naive")
        #expect(normalized("a\u{7}b\u{200B}c") == "abc")             // control and zero-width deleted, words join
        #expect(normalized("a\tb\u{3000}c") == "a b c")              // whitespace becomes a space
        #expect(normalized("中文") == " 中  文 ")                       // CJK ideographs padded
        #expect(normalized("\u{130}") == "i")                         // İ: NFD, strip the dot, then lower
        #expect(normalized("Café", BertNormalizer(lowercase: false)) == "Café")  // strip follows lowercase
        #expect(normalized("Café", BertNormalizer(stripAccents: true, lowercase: false)) == "Cafe")
    }

    @Test func preTokenizer() {
        let words = BertPreTokenizer.split(Array("hello, world!!  $5".unicodeScalars)).map {
            String(String.UnicodeScalarView($0))
        }
        #expect(words == ["hello", ",", "world", "!", "!", "$", "5"])
    }

    @Test func wordPiece() {
        let vocab: [String: Int32] = ["[UNK]": 0, "un": 1, "##aff": 2, "##able": 3, "a": 4]
        let wp = WordPiece(vocab: vocab, unkID: 0, maxInputCharsPerWord: 10)
        func ids(_ w: String) -> [Int32] {
            var out: [Int32] = []
            wp.encode(ArraySlice(w.unicodeScalars), into: &out)
            return out
        }
        #expect(ids("unaffable") == [1, 2, 3])
        #expect(ids("a") == [4])
        #expect(ids("unx") == [0])                    // no cover: the whole word is [UNK]
        #expect(ids("aaaaaaaaaaa") == [0])            // over maxInputCharsPerWord
    }

    @Test func specialTokensAndTruncation() {
        let vocab: [String: Int32] = ["[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "a": 4, "b": 5, "[": 6, "]": 7, "sep": 8]
        let specials = [("[SEP]", 3), ("[CLS]", 2), ("[UNK]", 1), ("[PAD]", 0)].map {
            AddedToken(id: Int32($0.1), content: $0.0, special: true, normalized: false)
        }
        let t = Tokenizer(addedTokens: specials, normalizer: .bert(BertNormalizer()), preTokenizer: .bert,
                          model: .wordPiece(WordPiece(vocab: vocab, unkID: 1)), postProcessor: .bert(cls: 2, sep: 3),
                          maxLength: 6)
        #expect(t.encode("a[SEP]b") == [2, 4, 3, 5, 3])
        #expect(t.encode("a [sep] b") == [2, 4, 6, 8, 7, 3])       // matched on raw text only: case matters
        #expect(t.encode("a b a b a b") == [2, 4, 5, 4, 5, 3])     // truncated to 6 with [SEP] kept
        #expect(t.encode("") == [2, 3])
    }
}

/// NFC and NFKC around Foundation's composition of supplementary-plane starters by their low 16 bits.
@Suite struct SupplementaryCompositionTests {
    func scalars(_ s: String) -> [Unicode.Scalar] { Array(s.unicodeScalars) }

    @Test("a supplementary starter followed by a mark is left uncomposed, as Hugging Face leaves it")
    func supplementaryStarter() {
        for text in ["\u{E0044}\u{030C}", "a\u{E0063}\u{0301}x", "\u{10044}\u{030C}\u{0301}", "\u{1F8C6}\u{0301}"] {
            #expect(Normalizer.nfc.normalize(scalars(text)) == scalars(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect(Normalizer.nfkc.normalize(scalars(text)) == scalars(text))
        }
        // Marks after the starter are still put in canonical order: U+0301 (230) after U+0323 (220).
        #expect(Normalizer.nfc.normalize(scalars("\u{E0044}\u{0301}\u{0323}")) == scalars("\u{E0044}\u{0323}\u{0301}"))
        // Composition elsewhere in the text is unchanged.
        #expect(Normalizer.nfc.normalize(scalars("e\u{0301}\u{E0044}\u{030C}e\u{0301}")) == scalars("\u{E9}\u{E0044}\u{030C}\u{E9}"))
        #expect(Normalizer.nfkc.normalize(scalars("ｶﾞ\u{10044}\u{030C}")) == scalars("ガ\u{10044}\u{030C}"))
        #expect(Normalizer.nfc.normalize(scalars("\u{1D15E}\u{0301}")) == scalars("\u{1D157}\u{1D165}\u{0301}"))
    }

    @Test("the Split + NFC BPE fixture gives Hugging Face's ids on the string that showed it")
    func bpeSplitString() throws {
        let tokenizer = try Tokenizer.load(folder: Fixtures.url("tokenizers/bpe-split"), maxLength: 512)
        #expect(tokenizer.encode(" \u{301}\u{E0}\u{301}\u{302}\u{303})\u{E0044}\u{30C}\r\n\u{1F8C6}")
                == [0, 222, 979, 977, 1479, 981, 10, 177, 256, 225, 228, 138, 236, 203, 200, 334, 98, 230])
    }
}
