import ExemplarDemos
import ExemplarEncoder
import ExemplarTestSupport
import Foundation
import Testing

/// Words with their leading space as tokens (RoBERTa-like, " It", " was"); for limit tests.
struct SpaceTokenizer: TemplateTokenizer {
    func tokenize(_ text: String) -> [String] {
        var tokens: [String] = []
        for character in text {
            if character == " " || tokens.isEmpty {
                tokens.append(String(character))
            } else {
                tokens[tokens.count - 1].append(character)
            }
        }
        return tokens
    }

    func detokenize(_ tokens: [String]) -> String { tokens.joined() }
}

/// ExemplarEncoder's Tokenizer plugged in: ids back to WordPiece strings, `##` joined on detokenize.
struct BertPieces: TemplateTokenizer {
    let tokenizer: Tokenizer

    init(folder: URL) throws {
        tokenizer = try Tokenizer.load(folder: folder, maxLength: 512)
    }

    func tokenize(_ text: String) -> [String] { tokenizer.encode(text).dropFirst().dropLast().map { tokenizer.token(for: $0) ?? "[UNK]" } }

    func detokenize(_ tokens: [String]) -> String {
        tokens.reduce("") { $1.hasPrefix("##") ? $0 + $1.dropFirst(2) : ($0.isEmpty ? $1 : $0 + " " + $1) }
    }
}

@Suite struct TemplateTests {
    let sst2 = try! LabelWords(["0": "terrible", "1": "great"], labels: .classes(["0", "1"]))
    let rte = try! LabelWords(parsing: "{'entailment':'Yes','not_entailment':'No'}", labels: .classes(["entailment", "not_entailment"]))

    @Test func sst2WithDemonstrationsMatchesLMBFFWorkedExample() throws {
        let template = try Template("*cls**sent_0*_It_was*mask*.*sep+*")
        let renderer = try ContextRenderer(template: template, labelWords: sst2)
        // run.py's automatic demonstration template.
        #expect(renderer.template.description
            == "*cls**sent_0*_It_was*mask*.*sep+**sent_1*_It_was*label_0*.*sep+**sent_2*_It_was*label_1*.*sep+*")
        // Demonstrations given label 1 first: they are placed in label order.
        let context = try renderer.render(query: ["a gripping thriller ."], demonstrations: [
            DemoText(group: 1, sentences: ["warm and funny ."]), DemoText(group: 0, sentences: ["a dull mess ."]),
        ])
        #expect(context.text
            == "<s>a gripping thriller . It was<mask>.</s>a dull mess . It was terrible.</s>warm and funny . It was great.</s>")
        #expect(context.segments.map(\.role) == [
            .cls, .querySentence(0), .literal, .mask, .literal, .sep,
            .demoSentence(demo: 1, sentence: 0), .literal, .labelWord(label: 0, demo: nil), .literal, .sep,
            .demoSentence(demo: 0, sentence: 0), .literal, .labelWord(label: 1, demo: nil), .literal, .sep,
        ])
        #expect(context.segments.map(\.segmentID) == [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2])
        #expect(context.tokenCount == nil)
    }

    @Test func rtePairTemplate() throws {
        let template = try Template("*cls**sent-_0*?*mask*,*+sentl_1**sep+*")
        #expect(template.querySentenceCount == 2)
        let renderer = try ContextRenderer(template: template, labelWords: rte)
        #expect(renderer.template.description
            == "*cls**sent-_0*?*mask*,*+sentl_1**sep+**sent-_2*?*label_0*,*+sentl_3**sep+**sent-_4*?*label_1*,*+sentl_5**sep+*")
        let context = try renderer.render(query: ["The cat sat on the mat.", "A cat is sitting."], demonstrations: [
            DemoText(group: 1, sentences: ["Paris is in Italy.", "Rome is in France."]),
            DemoText(group: 0, sentences: ["Dogs bark loudly.", "Some dogs bark."]),
        ])
        #expect(context.text == "<s>The cat sat on the mat?<mask>, a cat is sitting.</s>"
            + "Dogs bark loudly? Yes, some dogs bark.</s>Paris is in Italy? No, rome is in France.</s>")
        #expect(context.segments.filter { if case .demoSentence = $0.role { true } else { false } }.map(\.role) == [
            .demoSentence(demo: 1, sentence: 0), .demoSentence(demo: 1, sentence: 1),
            .demoSentence(demo: 0, sentence: 0), .demoSentence(demo: 0, sentence: 1),
        ])
    }

    @Test func trecQueryOnlyAndSentenceStyles() throws {
        let words = try LabelWords(["0": "Description", "1": "Entity", "2": "Expression", "3": "Human", "4": "Location", "5": "Number"],
                                   labels: .classes(["0", "1", "2", "3", "4", "5"]))
        let renderer = try ContextRenderer(template: Template("*cls**mask*:*+sent_0**sep+*"), labelWords: words, layout: .queryOnly)
        #expect(try renderer.render(query: ["What is a potlatch ?"]).text == "<s><mask>: What is a potlatch ?</s>")
        let styles = try ContextRenderer(template: Template("*sentu_0*|*sentl-_0*|*+sentu_0*|*sent-_1*"), labelWords: words,
                                         layout: .queryOnly, specialTokens: .bert)
        #expect(try styles.render(query: ["élan vital", "naïve😀"]).text == "Élan vital|élan vita| Élan vital|naïve")
    }

    @Test func inContextTemplatesFollowRunPy() throws {
        let template = try Template("*cls**sent_0*_It_was*mask*.*sep+*")
        #expect(template.withInContextDemonstrations(count: 2, placement: .tail).description
            == "*cls**sent_0*_It_was*mask*.*sep+**sent_1*_It_was*labelx_0*.*sep+**sent_2*_It_was*labelx_1*.*sep+*")
        #expect(template.withInContextDemonstrations(count: 2, placement: .head).description
            == "*sent_2*_It_was*labelx_1*.*sep+**sent_1*_It_was*labelx_0*.*sep+**cls**sent_0*_It_was*mask*.*sep+*")
        let renderer = try ContextRenderer(template: template, labelWords: sst2, layout: .inContext(count: 2))
        let context = try renderer.render(query: ["q ."], demonstrations: [
            DemoText(group: 1, sentences: ["good ."]), DemoText(group: 1, sentences: ["fine ."]),
        ])
        #expect(context.text == "<s>q . It was<mask>.</s>good . It was great.</s>fine . It was great.</s>")
        #expect(context.segments.contains { $0.role == .labelWord(label: 1, demo: 1) })
    }

    @Test func severalDemonstrationsPerLabel() throws {
        let renderer = try ContextRenderer(template: Template("*cls**sent_0**mask**sep+*"), labelWords: sst2, layout: .perLabel(count: 2),
                                           specialTokens: .bert)
        let context = try renderer.render(query: ["q"], demonstrations: [
            DemoText(group: 1, sentences: ["c"]), DemoText(group: 0, sentences: ["a"]),
            DemoText(group: 1, sentences: ["d"]), DemoText(group: 0, sentences: ["b"]),
        ])
        #expect(context.text == "[CLS]q[MASK][SEP]a terrible[SEP]b terrible[SEP]c great[SEP]d great[SEP]")
    }

    @Test func sentenceLimitsCutTokens() throws {
        let renderer = try ContextRenderer(template: Template("*cls**sent_0*_It_was*mask*.*sep+*"), labelWords: sst2,
                                           tokenizer: SpaceTokenizer(), firstSentLimit: 2, otherSentLimit: 1)
        let context = try renderer.render(query: ["a gripping thriller ."], demonstrations: [
            DemoText(group: 0, sentences: ["a dull mess ."]), DemoText(group: 1, sentences: ["warm and funny ."]),
        ])
        #expect(context.text == "<s>a gripping It was<mask>.</s>a It was terrible.</s>warm It was great.</s>")
        #expect(context.segments.filter(\.truncated).count == 3)
        #expect(context.tokenCount == context.segments.reduce(0) { $0 + $1.tokens!.count })
    }

    @Test func bertTokenizerPlugsIn() throws {
        let tokenizer = try BertPieces(folder: Fixtures.url("tiny-bert-max"))
        let renderer = try ContextRenderer(template: Template("*cls**sent_0**mask**sep+*"), labelWords: sst2, layout: .queryOnly,
                                           specialTokens: .bert, tokenizer: tokenizer, firstSentLimit: 3)
        let sentence = "the cat sat on the mat"
        let full = tokenizer.tokenize(sentence)
        #expect(full.count > 3)
        let context = try renderer.render(query: [sentence])
        let cut = context.segments[1]
        #expect(cut.truncated && cut.tokens == Array(full.prefix(3)))
        #expect(cut.text == tokenizer.detokenize(Array(full.prefix(3))))
    }

    @Test func errorsNameTheCulprit() throws {
        #expect(throws: TemplateError.unknownToken("sent0", template: "*cls**sent0*")) { try Template("*cls**sent0*") }
        #expect(throws: TemplateError.unknownToken("+sent-_0", template: "*+sent-_0*")) { try Template("*+sent-_0*") }
        #expect(throws: TemplateError.unbalancedStar(template: "*cls**sent_0")) { try Template("*cls**sent_0") }
        let sent3 = try ContextRenderer(template: Template("*cls**sent_3**mask*"), labelWords: sst2, layout: .queryOnly)
        #expect(throws: TemplateError.missingSentence(token: "sent_3", provided: 1)) { try sent3.render(query: ["only one"]) }
        #expect((TemplateError.missingSentence(token: "sent_3", provided: 1)).description.contains("*sent_3*"))
        #expect(throws: TemplateError.labelWordMissing(label: "1", mapping: ["0"])) {
            try LabelWords(["0": "terrible"], labels: .classes(["0", "1"]))
        }
        #expect(throws: TemplateError.labelNotInTask(label: "2", known: ["0", "1"])) {
            try LabelWords(["0": "a", "1": "b", "2": "c"], labels: .classes(["0", "1"]))
        }
        #expect(throws: TemplateError.missingLabel(token: "label_2", labels: 2)) {
            try ContextRenderer(template: Template("*cls**sent_0**label_2*"), labelWords: sst2, layout: .queryOnly)
        }
        let renderer = try ContextRenderer(template: Template("*cls**sent_0**mask*"), labelWords: sst2)
        #expect(throws: TemplateError.demonstrationCountMismatch(label: "1", expected: 1, found: 0)) {
            try renderer.render(query: ["q"], demonstrations: [DemoText(group: 0, sentences: ["a"])])
        }
        #expect(throws: TemplateError.truncationNeedsTokenizer) {
            try ContextRenderer(template: Template("*sent_0*"), labelWords: sst2, firstSentLimit: 5)
        }
        #expect(throws: TemplateError.invalidLabelWords("[1]")) { try LabelWords(parsing: "[1]", labels: .classes(["0"])) }
    }

    @Test func labelWordsParseJSONOrPythonQuotes() throws {
        let labels = DemoLabels.classes(["0", "1"])
        #expect(try LabelWords(parsing: #"{"1": "great", "0": "terrible"}"#, labels: labels).words == ["terrible", "great"])
        #expect(try LabelWords(parsing: "{'0':'terrible','1':'great'}", labels: labels).words == ["terrible", "great"])
        for bad in [#"{"0": "terrible", "1": 2}"#, "{'0': 'a',}", "", #""0""#] {
            #expect(throws: TemplateError.invalidLabelWords(bad)) { try LabelWords(parsing: bad, labels: labels) }
        }
    }

    @Test func selectionToContext() throws {
        // The path a CLI takes: select from vectors, then render the sample with the records' texts.
        let texts = ["awful .", "bad .", "lovely .", "fine ."]
        let support = try SupportSet(ids: [10, 11, 12, 13], labels: ["0", "0", "1", "1"], grouping: .classes(["0", "1"]),
                                     vectors: [1, 0, 0.9, 0.1, 0, 1, 0.2, 0.8], dimension: 2)
        let selector = try DemoSelector(support: support, policy: .nearest(perLabel: 1), seed: 0)
        let sample = try selector.select(DemoQuery(vector: [1, 0.05], key: 0))[0]
        #expect(sample.map(\.id) == [10, 13])
        let renderer = try ContextRenderer(template: Template("*cls**sent_0*_It_was*mask*.*sep+*"), labelWords: sst2)
        let context = try renderer.render(query: ["so so ."], sample: sample) { [texts[$0.position]] }
        #expect(context.text == "<s>so so . It was<mask>.</s>awful . It was terrible.</s>fine . It was great.</s>")
    }
}
