internal import CEncoderKernels

/// The rows of a `[count, width]` matrix rearranged for fast index-order dot products with a
/// query (`dotsInIndexOrder`): panels of 64 rows, each panel stored element by element
/// (`CEncoderKernels`' `ek_panel_*`), so 64 independent sums run side by side over memory read
/// front to back. Every result has the bits of `Vectors.dotInIndexOrder` (one float32
/// multiply, then one add, per element, in index order), in the AVX-512 body and the portable one.
package struct RowPanels: Sendable {
    package let count: Int
    package let width: Int
    let panels: [Float]

    /// Rearranges `rows` (row-major, `rows.count / width` rows of `width > 0` floats).
    package init(rows: [Float], width: Int) {
        precondition(width > 0 && rows.count % width == 0)
        let count = rows.count / width
        self.count = count
        self.width = width
        let floats = ek_panel_floats(Int32(count), Int32(width))
        guard floats > 0 else { panels = []; return }
        panels = rows.withUnsafeBufferPointer { source in
            [Float](unsafeUninitializedCapacity: floats) { buffer, initialized in
                ek_panel_pack(source.baseAddress!, Int32(count), Int32(width), buffer.baseAddress!)
                initialized = floats
            }
        }
    }

    /// `out[r] = Vectors.dotInIndexOrder(query, row r, width)` for every row, bit for bit;
    /// `query` has `width` floats and `out` `count`.
    package func dotsInIndexOrder(_ query: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, portable: Bool = false) {
        guard count > 0 else { return }
        let run = portable ? ek_panel_dots_portable : ek_panel_dots
        run(query, panels, Int32(count), Int32(width), out)
    }
}
