import ExemplarEncoder
import ExemplarIO
import ExemplarKernels
import ExemplarStore
import Foundation

/// Vectors made elsewhere (a GPU job, LM-BFF's `{split}_sbert-NAME.npy`) taken into an index
/// instead of embedding: the files are mapped, checked (`check`), and read row by row into
/// the build's vector file (`IndexBuilder.build(imported:)`), never held in memory whole.
/// Crash safety is any build's: nothing is written before the commit, which is atomic.
public enum VectorImport {
    /// One file's rows for the records at `rows` (positions in the build's record order).
    public struct Block: Sendable {
        public var file: String
        public var rows: [Int]
        public var matrix: NPYMatrix

        public init(file: String, rows: [Int], matrix: NPYMatrix) {
            self.file = file
            self.rows = rows
            self.matrix = matrix
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

    /// Checks `blocks` against `records` and `encoder`: shape, dimension, finite non-zero rows,
    /// and `checkRows` sampled rows per file re-embedded (another model or another row order
    /// fails; 0 trusts the file). Throws naming the file and row at fault.
    @discardableResult
    public static func check(_ blocks: [Block], records: [IndexRecord], encoder: SentenceEncoder, checkRows: Int = 8) throws -> Check {
        let model = try encoder.identity()
        var check = Check(sampled: 0, minimumCosine: 1)
        for block in blocks {
            let columns = block.matrix.columns
            guard columns == model.dimension else {
                throw IndexError.vectors(file: block.file, message: "has \(columns) columns; \(model.name) makes \(model.dimension)-dimensional vectors")
            }
            guard block.matrix.rows == block.rows.count else {
                throw IndexError.vectors(file: block.file, message: "has \(block.matrix.rows) rows for \(block.rows.count) records; its rows must be the data's rows, in order")
            }
            for row in 0..<block.matrix.rows {
                let v = UnsafeBufferPointer(start: block.matrix.row(row), count: columns)
                guard v.allSatisfy(\.isFinite), v.contains(where: { $0 != 0 }) else {
                    throw IndexError.vectors(file: block.file, message: "row \(row) is all zeros or holds a NaN or infinity")
                }
            }
            let checked = min(checkRows, block.rows.count)
            let sample = Array(Set((0..<checked).map { $0 * block.rows.count / checked })).sorted()
            let texts = sample.map { IndexBuilder.embeddingText(records[block.rows[$0]]) }
            let mine = encoder.encode(texts, threads: 1)
            for (i, row) in sample.enumerated() {
                var given = Array(UnsafeBufferPointer(start: block.matrix.row(row), count: columns))
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
        }
        return check
    }

    /// Record `i`'s vector for `count` records covered by `blocks` (each record in one block).
    static func rows(_ blocks: [Block], count: Int) -> (Int) -> UnsafePointer<Float> {
        var block = [Int32](repeating: -1, count: count), row = [Int32](repeating: 0, count: count)
        for (b, entry) in blocks.enumerated() {
            for (r, position) in entry.rows.enumerated() {
                block[position] = Int32(b)
                row[position] = Int32(r)
            }
        }
        precondition(!block.contains(-1), "every record needs a vector")
        return { i in blocks[Int(block[i])].matrix.row(Int(row[i])) }
    }
}
