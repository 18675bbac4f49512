@testable import ExemplarChart
import Testing

/// A PNG file's chunks, each with its CRC checked.
struct PNGFile {
    var width = 0, height = 0, bitDepth = 0, colorType = 0
    var chunkTypes: [String] = []
    var idat: [UInt8] = []

    init(_ bytes: [UInt8]) throws {
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var i = 8
        func u32(_ at: Int) -> UInt32 { bytes[at..<(at + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
        while i < bytes.count {
            let length = Int(u32(i))
            let type = String(decoding: bytes[(i + 4)..<(i + 8)], as: UTF8.self)
            let data = Array(bytes[(i + 8)..<(i + 8 + length)])
            #expect(u32(i + 8 + length) == CRC32.checksum(Array(bytes[(i + 4)..<(i + 8 + length)])), "CRC of \(type)")
            chunkTypes.append(type)
            if type == "IHDR" {
                width = Int(u32(i + 8))
                height = Int(u32(i + 12))
                bitDepth = Int(data[8])
                colorType = Int(data[9])
            }
            if type == "IDAT" { idat += data }
            i += 12 + length
        }
        #expect(i == bytes.count)
    }

    /// The image's RGB bytes, undoing filters 0 (None) and 1 (Sub).
    func pixels() throws -> [UInt8] {
        let (raw, adler) = try Inflate.zlib(idat)
        #expect(adler == Adler32.checksum(raw))
        let stride = width * 3
        #expect(raw.count == height * (stride + 1))
        var rgb: [UInt8] = []
        for y in 0..<height {
            let filter = raw[y * (stride + 1)]
            var row = Array(raw[(y * (stride + 1) + 1)..<((y + 1) * (stride + 1))])
            #expect(filter <= 1)
            if filter == 1 { for x in 3..<max(3, stride) { row[x] = row[x] &+ row[x - 3] } }
            rgb += row
        }
        return rgb
    }
}

@Suite struct PNGTests {
    @Test func checksumsMatchKnownValues() {
        // The standard check values of CRC-32 and Adler-32 for "123456789" and "Wikipedia".
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(Adler32.checksum(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(Adler32.checksum([]) == 1)
        #expect(CRC32.checksum(Array("IEND".utf8)) == 0xAE42_6082)
    }

    @Test func imageRoundTripsThroughInflate() throws {
        var raster = Raster(width: 37, height: 23, background: .init(10, 20, 30))
        raster.fill(x: 5, y: 3, width: 20, height: 10, .init(200, 100, 50))
        raster.text("Ag0.5%", x: 1, y: 14)
        for compress in [true, false] {
            let bytes = PNG.encode(width: raster.width, height: raster.height, rgb: raster.pixels, compress: compress)
            let file = try PNGFile(bytes)
            #expect(file.chunkTypes == ["IHDR", "IDAT", "IEND"])
            #expect((file.width, file.height, file.bitDepth, file.colorType) == (37, 23, 8, 2))
            #expect(try file.pixels() == raster.pixels)
        }
    }

    @Test func deflateRoundTripsLongRunsAndNoise() throws {
        var noise: [UInt8] = []
        var x: UInt32 = 12345
        for _ in 0..<70_000 { x = x &* 1_103_515_245 &+ 12345; noise.append(UInt8(x >> 24)) }
        let inputs: [[UInt8]] = [[], [7], [UInt8](repeating: 9, count: 100_000), noise, noise + Array(noise.prefix(40_000))]
        for data in inputs {
            for deflate in [true, false] {
                let (out, adler) = try Inflate.zlib(Zlib.compress(data, deflate: deflate))
                #expect(out == data)
                #expect(adler == Adler32.checksum(data))
            }
        }
        // A run compresses: 100 kB of one byte takes well under 1 kB.
        #expect(Zlib.compress([UInt8](repeating: 9, count: 100_000), deflate: true).count < 1_000)
    }

    @Test func fontCoversPrintableASCII() {
        let glyphs = (32...126).map { BitmapFont.rows(Character(Unicode.Scalar(UInt8($0)))) }
        #expect(glyphs.allSatisfy { $0.count == 7 && $0.allSatisfy { $0 < 32 } })
        #expect(Set(glyphs.map { $0.map(String.init).joined(separator: ",") }).count == 95)  // every glyph distinct
        #expect(glyphs[0].allSatisfy { $0 == 0 })
        #expect(BitmapFont.rows("é") == BitmapFont.rows("?"))
    }

    @Test func barChartDrawsBarsOfTheValuesHeights() throws {
        let chart = BarChart(title: "t", categories: ["a", "b"], series: [("p", [1.0, 0.5]), ("q", [0.25, nil])], range: 0...1)
        let image = chart.draw(width: 400, height: 300)
        let file = try PNGFile(image.png())
        #expect((file.width, file.height) == (400, 300))
        // Column pixels of the first series' colour in a bar's middle: the 1.0 bar is twice the 0.5 bar.
        func height(ofColor color: Raster.Color) -> [Int] {
            (0..<image.width).map { x in
                (60..<image.height).filter { y in  // below the title and legend
                    let i = (y * image.width + x) * 3
                    return image.pixels[i] == color.r && image.pixels[i + 1] == color.g && image.pixels[i + 2] == color.b
                }.count
            }
        }
        let first = height(ofColor: BarChart.palette[0]).filter { $0 > 20 }
        let tall = first.max()!, short = first.filter { $0 < tall - 5 }.max()!
        #expect(abs(Double(tall) / Double(short) - 2) < 0.05)
        #expect(height(ofColor: BarChart.palette[1]).contains { $0 > 20 })
    }
}
