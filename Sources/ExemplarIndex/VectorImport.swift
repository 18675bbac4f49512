import ExemplarEncoder
import ExemplarKernels
import ExemplarStore
import Foundation

/// Vectors made elsewhere (a GPU job, LM-BFF's `{split}_sbert-NAME.npy`) put into an index's
/// embedding cache, so the build that follows embeds nothing for them and stays crash-safe
/// as any build: the cache is committed first, then records and vectors in one transaction.
public enum VectorImport {
    /// One file's rows for the records at `rows` (positions in the build's record order).
    public struct Block: Sendable {
        public var file: String
        public var rows: [Int]
        public var values: [Float]
        public var columns: Int

        public init(file: String, rows: [Int], values: [Float], columns: Int) {
            self.file = file
            self.rows = rows
            self.values = values
            self.columns = columns
        }
    }

    /// How the imported vectors compare with the model's own embeddings of their texts.
    public struct Check: Sendable, Equatable {
        public var sampled: Int
        public var minimumCosine: Float
    }

    /// The least cosine between a file's vector and the model's embedding of the same text for
    /// the vectors to count as that model's (float16 storage or another batch size stay far above it).
    public static let agreement: Float = 0.99

    /// Checks `blocks` against `records` and `encoder` (shape, dimension, and `checkRows`
    /// sampled rows per file re-embedded: another model or another row order fails; 0 trusts
    /// the file), then writes every
    /// row to the cache under the model's key. Throws naming the file and row at fault.
    @discardableResult
    public static func put(_ blocks: [Block], records: [IndexRecord], encoder: SentenceEncoder,
                           into store: IndexStore, checkRows: Int = 8) throws -> Check {
        let model = try encoder.identity()
        var check = Check(sampled: 0, minimumCosine: 1)
        for block in blocks {
            guard block.columns == model.dimension else {
                throw IndexError.vectors(file: block.file, message: "has \(block.columns) columns; \(model.name) makes \(model.dimension)-dimensional vectors")
            }
            guard block.values.count == block.rows.count * block.columns else {
                throw IndexError.vectors(file: block.file, message: "has \(block.values.count / max(block.columns, 1)) rows for \(block.rows.count) records; its rows must be the data's rows, in order")
            }
            let checked = min(checkRows, block.rows.count)
            let sample = Array(Set((0..<checked).map { $0 * block.rows.count / checked })).sorted()
            let texts = sample.map { IndexBuilder.embeddingText(records[block.rows[$0]]) }
            let mine = encoder.encode(texts, threads: 1)
            for (i, row) in sample.enumerated() {
                var given = Array(block.values[(row * block.columns)..<((row + 1) * block.columns)])
                var own = Array(mine[i])
                Vectors.normalize(&given)
                Vectors.normalize(&own)
                let cosine = zip(given, own).reduce(Float(0)) { $0 + $1.0 * $1.1 }
                check.sampled += 1
                check.minimumCosine = min(check.minimumCosine, cosine)
                guard cosine >= agreement else {
                    throw IndexError.vectors(file: block.file, message: "row \(row) has cosine \(String(format: "%.4f", cosine)) with \(model.name)'s embedding of its text (\"\(texts[i].prefix(60))\"): the vectors come from another model, or their rows are not the data's rows in order")
                }
            }
            for start in stride(from: 0, to: block.rows.count, by: 4096) {
                let end = min(start + 4096, block.rows.count)
                try store.cache((start..<end).map { r in
                    (IndexStore.cacheKey(modelHash: model.cacheHash, text: IndexBuilder.embeddingText(records[block.rows[r]])),
                     block.values[(r * block.columns)..<((r + 1) * block.columns)])
                })
            }
        }
        return check
    }
}
