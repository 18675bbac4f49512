@testable import ExemplarEncoder
import ExemplarTestSupport
import Foundation
import Testing

/// Every code point through our normalizer and pre-tokenizer classes, against the tables
/// probed from Hugging Face tokenizers (Tests/Fixtures/unicode, made by make-fixtures.py).
@Suite struct UnicodeTableTests {
    static let allScalars: [Unicode.Scalar] = (0...0x10FFFF).compactMap { Unicode.Scalar(UInt32($0)) }

    /// `START END VALUE` ranges → value per code point.
    func ranges(_ name: String) throws -> [UInt32: String] {
        let text = try String(contentsOf: Fixtures.url("unicode/\(name)"), encoding: .utf8)
        var out: [UInt32: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let lo = UInt32(parts[0], radix: 16), let hi = UInt32(parts[1], radix: 16) else { continue }
            for c in lo...hi { out[c] = String(parts[2]) }
        }
        return out
    }

    /// `CP MAPPED...` lines → mapped scalars per code point.
    func mapping(_ name: String) throws -> [UInt32: [UInt32]] {
        let text = try String(contentsOf: Fixtures.url("unicode/\(name)"), encoding: .utf8)
        var out: [UInt32: [UInt32]] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ").compactMap { UInt32($0, radix: 16) }
            guard let first = parts.first else { continue }
            out[first] = Array(parts.dropFirst())
        }
        return out
    }

    /// Reports mismatching code points as ranges, at most a few lines.
    func report(_ what: String, _ bad: [UInt32]) {
        guard !bad.isEmpty else { return }
        var runs: [String] = []
        var start = bad[0], prev = bad[0]
        for c in bad.dropFirst() + [UInt32.max] {
            if c != prev + 1 {
                runs.append(start == prev ? String(start, radix: 16) : "\(String(start, radix: 16))-\(String(prev, radix: 16))")
                start = c
            }
            prev = c
        }
        Issue.record("\(what): \(bad.count) code points differ from Hugging Face: \(runs.prefix(ProcessInfo.processInfo.environment["EXEMPLAR_ALL_RUNS"] == nil ? 40 : Int.max).joined(separator: " "))")
    }

    @Test func cleaningAndWhitespace() throws {
        let table = try ranges("clean.txt")
        var bad: [UInt32] = []
        for s in Self.allScalars {
            let ours: String? = UnicodeProperties.isRemovedByCleaning(s) ? "removed"
                : (UnicodeProperties.isWhitespace(s) && s.value != 0x20 ? "space" : nil)
            if ours != table[s.value] { bad.append(s.value) }
        }
        report("clean_text", bad)
    }

    @Test func punctuationAndChinese() throws {
        let punct = try ranges("punct.txt"), chinese = try ranges("chinese.txt")
        var badPunct: [UInt32] = [], badChinese: [UInt32] = []
        for s in Self.allScalars {
            let ours: String? = UnicodeProperties.isWhitespace(s) ? "space" : (UnicodeProperties.isPunctuation(s) ? "punct" : nil)
            if ours != punct[s.value] { badPunct.append(s.value) }
            if UnicodeProperties.isChinese(s) != (chinese[s.value] != nil) { badChinese.append(s.value) }
        }
        report("pre-tokenizer split", badPunct)
        report("chinese", badChinese)
    }

    @Test func lowercaseAndAccentStripping() throws {
        let lower = try mapping("lower.txt"), strip = try mapping("strip.txt")
        let lowercaser = BertNormalizer(cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: true)
        let stripper = BertNormalizer(cleanText: false, handleChineseChars: false, stripAccents: true, lowercase: false)
        var badLower: [UInt32] = [], badStrip: [UInt32] = []
        for s in Self.allScalars {
            let text = Substring(String(Character(s)))
            let l = lowercaser.normalize(text).map(\.value)
            if l != (lower[s.value] ?? [s.value]) { badLower.append(s.value) }
            let st = stripper.normalize(text).map(\.value)
            if st != (strip[s.value] ?? [s.value]) { badStrip.append(s.value) }
        }
        report("lowercase", badLower)
        report("strip_accents", badStrip)
    }
}
