/// An RGB image in memory with the few drawing operations charts need: filled rectangles,
/// lines along the axes and text in `BitmapFont` at an integer scale. Drawing is clipped.
public struct Raster: Sendable {
    public let width: Int
    public let height: Int
    /// Row-major RGB bytes.
    public private(set) var pixels: [UInt8]

    /// An RGB colour.
    public struct Color: Sendable, Hashable {
        public let r: UInt8, g: UInt8, b: UInt8
        public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }
        public static let white = Color(255, 255, 255)
        public static let black = Color(0, 0, 0)
        public static let gray = Color(128, 128, 128)
        public static let lightGray = Color(225, 225, 225)
    }

    /// A `width × height` image filled with `background`.
    public init(width: Int, height: Int, background: Color = .white) {
        precondition(width > 0 && height > 0)
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(x: 0, y: 0, width: width, height: height, background)
    }

    /// Fills the rectangle with corner (`x`, `y`) (top left) and the given size.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ color: Color) {
        let x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for row in y0..<y1 {
            var i = (row * width + x0) * 3
            for _ in x0..<x1 {
                pixels[i] = color.r
                pixels[i + 1] = color.g
                pixels[i + 2] = color.b
                i += 3
            }
        }
    }

    /// The width in pixels of `text` at `scale`.
    public static func textWidth(_ text: String, scale: Int = 1) -> Int {
        text.isEmpty ? 0 : (text.count * (BitmapFont.width + 1) - 1) * scale
    }

    /// Draws `text` with its top left corner at (`x`, `y`), each font pixel `scale` × `scale`.
    public mutating func text(_ text: String, x: Int, y: Int, scale: Int = 1, _ color: Color = .black) {
        var left = x
        for character in text {
            for (row, bits) in BitmapFont.rows(character).enumerated() {
                for column in 0..<BitmapFont.width where bits & (1 << (BitmapFont.width - 1 - column)) != 0 {
                    fill(x: left + column * scale, y: y + row * scale, width: scale, height: scale, color)
                }
            }
            left += (BitmapFont.width + 1) * scale
        }
    }

    /// The image as a PNG file.
    public func png() -> [UInt8] { PNG.encode(width: width, height: height, rgb: pixels) }
}
