import ExemplarEncoder
import ExemplarIO
import ExemplarJSON
import ExemplarTestSupport
import Foundation
import Testing

/// The encoder's committed fixtures (made by scripts/make-fixtures.py) and the real model.
extension Fixtures {
    /// The real all-MiniLM-L6-v2 folder ($EXEMPLAR_MODEL or the default; scripts/test fetches it).
    static func realModelFolder() throws -> URL {
        try ModelLocator.locate(explicit: nil)
    }

    /// One reference sentence: its text and the ids sentence-transformers gave it.
    struct Reference {
        let text: String
        let ids: [Int32]
    }

    /// Read with ExemplarJSON: Foundation's JSONSerialization (Linux) drops a U+FEFF that
    /// starts a string, which hid a byte-level BPE difference ("\u{FEFF}BOM at start").
    static func references(_ relativePath: String) throws -> [Reference] {
        let data = try Data(contentsOf: url(relativePath))
        return try data.split(separator: UInt8(ascii: "\n")).map { line in
            let object = try JSONParser.parse([UInt8](line))
            let text = try #require(object["text"]?.stringValue)
            let numbers = object["ids"]?.arrayValue?.compactMap { $0.numberValue }
            let ids = try #require(numbers)
            return Reference(text: text, ids: ids.map { Int32($0) })
        }
    }

    static func matrix(_ relativePath: String) throws -> (shape: [Int], values: [Float]) {
        let bytes = try [UInt8](Data(contentsOf: url(relativePath)))
        return try #require(NPY.decode(bytes), "\(relativePath) is not a float32 .npy file")
    }
}

/// Cosine similarity and largest absolute difference of two vectors.
func compare(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> (cosine: Double, maxAbs: Double) {
    var dot = 0.0, na = 0.0, nb = 0.0, maxAbs = 0.0
    for (x, y) in zip(a, b) {
        dot += Double(x) * Double(y)
        na += Double(x) * Double(x)
        nb += Double(y) * Double(y)
        maxAbs = max(maxAbs, abs(Double(x) - Double(y)))
    }
    let denom = (na * nb).squareRoot()
    return (denom == 0 ? (na == nb ? 1 : 0) : dot / denom, maxAbs)
}

/// Expects every row of `ours` within cosine 0.99999 and max abs 1e-4 of the same row of the
/// row-major `expected` (`width` wide); `label(i)` names row `i` in a failure. Returns the
/// worst cosine and max abs difference, for the test's report line.
func expectRowsMatch(_ ours: Embeddings, _ expected: [Float], width: Int,
                     _ label: (Int) -> String) -> (worstCosine: Double, worstAbs: Double) {
    var worstCosine = 1.0, worstAbs = 0.0
    for i in 0..<ours.count {
        let (cosine, maxAbs) = compare(ours[i], expected[(i * width)..<((i + 1) * width)])
        worstCosine = min(worstCosine, cosine)
        worstAbs = max(worstAbs, maxAbs)
        #expect(cosine >= 0.99999 && maxAbs <= 1e-4, "\(label(i)): cosine \(cosine), max abs \(maxAbs)")
    }
    return (worstCosine, worstAbs)
}
