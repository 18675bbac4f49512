/// A grouped bar chart: one group per category (a metric), one bar per series (a policy), each
/// bar labelled with its value (when every label fits its bar), a y axis with grid lines, a legend and a title.
public struct BarChart: Sendable {
    public var title: String
    /// The group names along the x axis.
    public var categories: [String]
    /// Each series' name and one value per category (nil: no bar).
    public var series: [(name: String, values: [Double?])]
    /// The y range; by default from min(0, lowest) to max(1, highest).
    public var range: ClosedRange<Double>?

    public init(title: String, categories: [String], series: [(name: String, values: [Double?])], range: ClosedRange<Double>? = nil) {
        self.title = title
        self.categories = categories
        self.series = series
        self.range = range
    }

    /// Distinct colours for up to eight series, then repeated.
    static let palette: [Raster.Color] = [
        .init(31, 119, 180), .init(255, 127, 14), .init(44, 160, 44), .init(214, 39, 40),
        .init(148, 103, 189), .init(140, 86, 75), .init(227, 119, 194), .init(23, 190, 207),
    ]

    /// The chart drawn at `width × height` pixels (at least 320 × 240).
    public func draw(width: Int = 960, height: Int = 540) -> Raster {
        let width = max(width, 320), height = max(height, 240)
        var image = Raster(width: width, height: height)
        let values = series.flatMap { $0.values.compactMap { $0 } }
        let yRange = range ?? (min(0, values.min() ?? 0)...max(1, values.max() ?? 1))
        let span = max(yRange.upperBound - yRange.lowerBound, 1e-9)

        image.text(title, x: (width - Raster.textWidth(title, scale: 2)) / 2, y: 12, scale: 2)
        // Legend: one swatch and name per series, in rows under the title.
        var lx = 70, ly = 40
        for (s, entry) in series.enumerated() {
            let w = 14 + Raster.textWidth(entry.name) + 20
            if lx + w > width - 10 { lx = 70; ly += 14 }
            image.fill(x: lx, y: ly, width: 10, height: 8, Self.palette[s % Self.palette.count])
            image.text(entry.name, x: lx + 14, y: ly)
            lx += w
        }
        let top = ly + 26, bottom = height - 40, left = 60, right = width - 20
        func y(_ v: Double) -> Int { bottom - Int(((v - yRange.lowerBound) / span * Double(bottom - top)).rounded()) }

        // Grid and y labels at five steps.
        for step in 0...5 {
            let v = yRange.lowerBound + span * Double(step) / 5
            let py = y(v)
            image.fill(x: left, y: py, width: right - left, height: 1, .lightGray)
            let label = Self.format(v)
            image.text(label, x: left - 6 - Raster.textWidth(label), y: py - 3, .gray)
        }
        image.fill(x: left, y: top, width: 1, height: bottom - top + 1, .black)
        image.fill(x: left, y: y(max(yRange.lowerBound, min(0, yRange.upperBound))), width: right - left, height: 1, .black)

        guard !categories.isEmpty, !series.isEmpty else { return image }
        let groupWidth = (right - left) / categories.count
        let barWidth = max(2, (groupWidth - 16) / series.count)
        let zero = y(max(yRange.lowerBound, min(0, yRange.upperBound)))
        // Value labels on every bar, or on none when one would not fit its bar.
        let labelled = values.allSatisfy { Raster.textWidth(Self.format($0, decimals: 2)) <= barWidth - 1 }
        for (c, category) in categories.enumerated() {
            let gx = left + c * groupWidth + (groupWidth - barWidth * series.count) / 2
            for (s, entry) in series.enumerated() {
                guard c < entry.values.count, let v = entry.values[c] else { continue }
                let py = y(min(max(v, yRange.lowerBound), yRange.upperBound))
                let x = gx + s * barWidth
                image.fill(x: x + 1, y: min(py, zero), width: barWidth - 2, height: max(1, abs(zero - py)), Self.palette[s % Self.palette.count])
                let label = Self.format(v, decimals: 2)
                if labelled {
                    image.text(label, x: x + (barWidth - Raster.textWidth(label)) / 2, y: min(py, zero) - 10)
                }
            }
            let name = category
            image.text(name, x: left + c * groupWidth + (groupWidth - Raster.textWidth(name)) / 2, y: bottom + 10)
        }
        return image
    }

    /// A value with up to `decimals` decimals.
    static func format(_ v: Double, decimals: Int = 3) -> String {
        let unit = decimals == 2 ? 100.0 : 1000.0
        let scaled = (v * unit).rounded() / unit
        var text = String(scaled)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text == "-0" ? "0" : text
    }
}
