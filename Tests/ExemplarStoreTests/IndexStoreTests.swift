import ExemplarCore
@testable import ExemplarStore
import ExemplarJSON
import ExemplarTestSupport
import Foundation
import Testing

@Suite struct SHA256Tests {
    @Test func knownDigests() {
        #expect(SHA256().hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var abc = SHA256()
        abc.update("abc")
        #expect(abc.hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // Streaming in odd pieces equals one update.
        let text = String(repeating: "exemplar ", count: 100)
        var pieces = SHA256()
        var rest = Substring(text)
        while !rest.isEmpty {
            pieces.update(String(rest.prefix(7)))
            rest = rest.dropFirst(7)
        }
        var whole = SHA256()
        whole.update(text)
        #expect(pieces.hex() == whole.hex())
    }
}

/// A real LMDB in a temporary folder.
@Suite struct IndexStoreTests {
    func manifest(dimension: Int, total: Int) -> Manifest {
        Manifest(model: .init(name: "m", weightsSHA256: "abc", dimension: dimension, pooling: "mean", normalized: true, maxSeqLength: 256),
                 task: "SST-2", dataFingerprint: "f", labels: ["0", "1"], countsByLabel: ["0": total], countsBySplit: ["train": total],
                 total: total, builtAt: Date(timeIntervalSince1970: 1_700_000_000), buildSeconds: 1, embeddedTexts: total)
    }

    @Test func commitReopenLoad() throws {
        let folder = try TemporaryFolder.create("store")
        defer { TemporaryFolder.remove(folder) }
        let records = (0..<50).map { IndexRecord(id: UInt32($0), split: "train", label: $0 % 2 == 0 ? "0" : "1",
                                                  textA: "text \($0) é", textB: $0 % 3 == 0 ? "pair \($0)" : nil, line: $0 + 2) }
        let vectors = (0..<(50 * 8)).map { Float($0) * 0.5 }
        do {
            let store = try IndexStore(folder: folder)
            #expect(try store.manifest() == nil)
            try store.markBuilding()
            #expect(try store.hasInterruptedBuild())
            try store.commit(records: records, vectors: vectors, keys: Self.keys(records), manifest: manifest(dimension: 8, total: 50))
            #expect(try !store.hasInterruptedBuild())
        }
        let reopened = try IndexStore(folder: folder)
        let stored = try #require(try reopened.manifest())
        var expected = manifest(dimension: 8, total: 50)
        expected.vectorFile = stored.vectorFile
        #expect(stored == expected && stored.vectorFile?.rows == 50)
        let (loadedRecords, loadedVectors) = try reopened.load(dimension: 8)
        #expect(loadedRecords == records && loadedVectors == vectors)
        #expect(reopened.sizeOnDisk() > 0)
        // The vectors live in the vector file only: each counts once among the reusable
        // embeddings, and a lookup by text finds it there.
        #expect(try reopened.cacheCount() == 50)
        #expect(try reopened.cachedVectors([Self.keys(records)[7]], dimension: 8) == [Array(vectors[56..<64])])
        #expect(try reopened.verify(dimension: 8).problems.isEmpty)
    }

    /// What a build embeds goes to the pending file, not LMDB: a torn tail (a killed append)
    /// hides nothing appended after it, and the commit takes the entries and deletes the file.
    @Test func thePendingCacheSurvivesATornAppendAndLeavesWithTheCommit() throws {
        let folder = try TemporaryFolder.create("store")
        defer { TemporaryFolder.remove(folder) }
        let records = (0..<30).map { IndexRecord(id: UInt32($0), split: "train", label: "\($0 % 2)", textA: "text \($0)", line: $0 + 1) }
        let keys = Self.keys(records)
        let vectors = (0..<(30 * 4)).map { Float($0 % 7) + 0.25 }
        let pendingURL = folder.appendingPathComponent(PendingCache.fileName)
        do {
            let store = try IndexStore(folder: folder)
            try store.markBuilding()
            try store.cache((0..<10).map { (keys[$0], vectors[($0 * 4)..<(($0 + 1) * 4)]) })
        }
        // A kill in the middle of the second chunk: part of an entry at the end.
        let handle = try FileHandle(forWritingTo: pendingURL)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([4, 0, 0, 0]) + Data(keys[10]) + Data(count: 9))
        try handle.close()
        let store = try IndexStore(folder: folder)
        #expect(try store.hasInterruptedBuild() && store.cacheCount() == 10)
        let found = try store.cachedVectors(keys, dimension: 4)
        #expect(found.prefix(10).map { $0 != nil } == Array(repeating: true, count: 10) && found[10...].allSatisfy { $0 == nil })
        #expect(found[3] == Array(vectors[12..<16]))
        // The resumed build appends after the intact entries.
        try store.cache((10..<20).map { (keys[$0], vectors[($0 * 4)..<(($0 + 1) * 4)]) })
        #expect(try IndexStore(folder: folder, readOnly: true).cacheCount() == 20)
        // Two entries of texts the build no longer has stay reusable, in the cache database.
        let gone = [IndexStore.cacheKey(modelHash: "h", text: "removed 1"), IndexStore.cacheKey(modelHash: "h", text: "removed 2")]
        try store.cache(gone.map { ($0, [1, 2, 3, 4][...]) })
        let sizeBefore = try #require(try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("data.mdb").path)[.size] as? Int)
        try store.commit(records: records, vectors: vectors, keys: keys, manifest: manifest(dimension: 4, total: 30))
        #expect(!FileManager.default.fileExists(atPath: pendingURL.path))
        #expect(try store.cacheCount() == 30 + 2 && !store.hasInterruptedBuild())
        #expect(try store.cachedVectors(gone, dimension: 4) == [[1, 2, 3, 4], [1, 2, 3, 4]])
        #expect(try store.verify(dimension: 4).problems.isEmpty)
        let sizeAfter = try #require(try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("data.mdb").path)[.size] as? Int)
        #expect(sizeAfter <= sizeBefore + 64 * 1024)
        // A store opened read-only does not write one.
        #expect(throws: StoreError.readOnly(path: folder.path)) {
            try IndexStore(folder: folder, readOnly: true).cache([(keys[0], vectors[0..<4])])
        }
    }

    static func keys(_ records: [IndexRecord]) -> [[UInt8]] {
        records.map { IndexStore.cacheKey(modelHash: "h", text: $0.textA + ($0.textB.map { " " + $0 } ?? "")) }
    }

    /// A second build replaces the vector file (the first is removed), moves what the new file
    /// holds out of the cache and keeps the first file's vectors the second lacks in the cache.
    @Test func aRebuildKeepsOneCopyOfEachVector() throws {
        let folder = try TemporaryFolder.create("store")
        defer { TemporaryFolder.remove(folder) }
        let store = try IndexStore(folder: folder)
        let first = (0..<20).map { IndexRecord(id: UInt32($0), split: $0 < 15 ? "train" : "dev", label: "\($0 % 2)", textA: "text \($0)", line: $0 + 1) }
        let v1 = (0..<(20 * 4)).map { Float($0 + 1) }
        try store.commit(records: first, vectors: v1, keys: Self.keys(first), manifest: manifest(dimension: 4, total: 20))
        let name1 = try #require(try store.manifest()?.vectorFile?.name)
        // The second build: records 10..<20 of the first, plus 5 new texts whose vectors were cached while embedding.
        let second = (10..<25).enumerated().map { i, n in IndexRecord(id: UInt32(i), split: "train", label: "\(n % 2)", textA: "text \(n)", line: i + 1) }
        let v2 = Array(v1[40..<80]) + (0..<20).map { Float(-$0 - 1) }
        try store.cache((20..<25).map { n in (Self.keys([second[n - 10]])[0], v2[((n - 10) * 4)..<((n - 9) * 4)]) })
        #expect(try store.cacheCount() == 20 + 5)
        try store.commit(records: second, vectors: v2, keys: Self.keys(second), manifest: manifest(dimension: 4, total: 15))
        let name2 = try #require(try store.manifest()?.vectorFile?.name)
        #expect(name1 != name2 && !FileManager.default.fileExists(atPath: folder.appendingPathComponent(name1).path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name2).path))
        // The five new vectors left the cache for the file; the first build's ten dropped texts
        // joined the cache: still 25 texts, each stored once.
        #expect(try store.cacheCount() == 15 + 10)
        let dropped = try store.cachedVectors(Self.keys(Array(first[0..<10])), dimension: 4)
        #expect(dropped == (0..<10).map { Array(v1[($0 * 4)..<(($0 + 1) * 4)]) })
        #expect(try store.load(dimension: 4).vectors == v2)
        let current = try #require(try store.manifest())
        let file = try #require(try store.vectorFile(for: current))
        // Rows by (split, label) partition: label order from the manifest, each in id order.
        #expect(file.partitions.map { "\($0.split)/\($0.label)/\($0.rows)" } == ["train/0/8", "train/1/7"])
        #expect((0..<file.rows).map { Int(file.ids[$0]) } == [0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13])
    }

    /// A format-1 store (vectors in LMDB's `vectors` database, no vector file) reads, verifies
    /// and finds its vectors by text; the next commit converts it to a vector file.
    @Test func aFormatOneStoreReadsAndConvertsAtTheNextCommit() throws {
        let folder = try TemporaryFolder.create("store")
        defer { TemporaryFolder.remove(folder) }
        let store = try IndexStore(folder: folder)
        let records = (0..<30).map { IndexRecord(id: UInt32($0), split: "train", label: "\($0 % 2)", textA: "old \($0)", line: $0 + 1) }
        let vectors = (0..<(30 * 4)).map { Float($0 % 11 + 1) }
        // Written as format 1 was: an empty build, then every record and vector in LMDB under a
        // manifest that names no vector file.
        try store.commit(records: [], vectors: [], keys: [], manifest: manifest(dimension: 4, total: 0))
        try store.commitOnline(appending: records, vectors: vectors, deleted: [], manifest: manifest(dimension: 4, total: 30), generation: "f")
        let legacy = try IndexStore(folder: folder)
        #expect(try legacy.manifest()?.vectorFile == nil)
        #expect(try legacy.load(dimension: 4).records == records && legacy.load(dimension: 4).vectors == vectors)
        #expect(try legacy.entryCounts() == (records: 30, vectors: 30))
        #expect(try legacy.verify(dimension: 4).problems.isEmpty)
        try legacy.commit(records: records, vectors: vectors, keys: Self.keys(records), manifest: manifest(dimension: 4, total: 30))
        let converted = try IndexStore(folder: folder)
        #expect(try converted.manifest()?.vectorFile?.rows == 30)
        #expect(try converted.load(dimension: 4).vectors == vectors)
        #expect(try converted.entryCounts() == (records: 30, vectors: 30))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("vectors-") }
        #expect(files.count == 1, "\(files)")
    }

    /// Damage to the vector file is named: a flipped byte in one block, and a truncated file.
    @Test func aDamagedVectorFileIsNamed() throws {
        let folder = try TemporaryFolder.create("store")
        defer { TemporaryFolder.remove(folder) }
        let n = 3000, dim = 4
        let records = (0..<n).map { IndexRecord(id: UInt32($0), split: "train", label: "\($0 % 2)", textA: "t\($0)", line: $0 + 1) }
        let store = try IndexStore(folder: folder)
        try store.commit(records: records, vectors: (0..<(n * dim)).map { Float($0 % 97 + 1) }, keys: Self.keys(records),
                         manifest: manifest(dimension: dim, total: n))
        let url = folder.appendingPathComponent(try #require(try store.manifest()?.vectorFile?.name))
        let pristine = try Data(contentsOf: url)
        let vectorsEnd = try VectorFile(url: url).offsets.vectors + 4 * n * dim
        var flipped = pristine
        flipped[vectorsEnd - 5] ^= 0x10
        try flipped.write(to: url)
        let problems = try IndexStore(folder: folder).verify(dimension: dim).problems
        #expect(problems.contains { $0.contains("rows 2048..<3000 are damaged") }, "\(problems)")
        #expect(!problems.contains { $0.contains("codes") }, "\(problems)")
        // The int8 codes (after the vectors) have their own checksum.
        flipped = pristine
        flipped[flipped.count - 5] ^= 0x10
        try flipped.write(to: url)
        let codeProblems = try IndexStore(folder: folder).verify(dimension: dim).problems
        #expect(codeProblems == ["the vector file's int8 codes (the search's prefilter) are damaged"], "\(codeProblems)")
        try pristine.prefix(pristine.count - 100).write(to: url)
        #expect(throws: StoreError.self) { try IndexStore(folder: folder).load(dimension: dim) }
        let message = (try? IndexStore(folder: folder).verify(dimension: dim).problems.joined()) ?? ""
        #expect(message.contains("truncated"), "\(message)")
    }

    @Test func cacheAndMapGrowth() throws {
        let folder = try TemporaryFolder.create("store")
        defer { TemporaryFolder.remove(folder) }
        // A 256 KiB map that must grow several times to take ~3 MB of vectors.
        let store = try IndexStore(folder: folder, initialMapSize: 256 << 10)
        let dim = 384
        let keys = (0..<2000).map { IndexStore.cacheKey(modelHash: "h", text: "sentence \($0)") }
        let vectors = (0..<2000).map { i in (0..<dim).map { Float(i) + Float($0) / 1000 } }
        for start in stride(from: 0, to: 2000, by: 500) {
            try store.cache((start..<(start + 500)).map { (keys[$0], vectors[$0][...]) })
        }
        #expect(try store.cacheCount() == 2000)
        let found = try store.cachedVectors([keys[7], IndexStore.cacheKey(modelHash: "other", text: "sentence 7"), keys[1999]], dimension: dim)
        #expect(found[0] == vectors[7] && found[1] == nil && found[2] == vectors[1999])
        #expect(IndexStore.cacheKey(modelHash: "h", text: "a") != IndexStore.cacheKey(modelHash: "h2", text: "a"))
    }
}

/// The manifest's format version is read: a newer one is refused with the version that wrote it.
@Suite struct ManifestFormatTests {
    func manifest() -> Manifest {
        Manifest(model: .init(name: "m", weightsSHA256: "abc", dimension: 4, pooling: "mean", normalized: true, maxSeqLength: 256),
                 task: nil, dataFingerprint: "f", labels: ["0", "1"], countsByLabel: ["0": 1, "1": 1], countsBySplit: ["train": 2],
                 total: 2, builtAt: Date(timeIntervalSince1970: 1_700_000_000), buildSeconds: 1, embeddedTexts: 2)
    }

    @Test func roundTripsAndRecordsItsWriter() throws {
        let folder = try TemporaryFolder.create("manifest")
        defer { TemporaryFolder.remove(folder) }
        let store = try IndexStore(folder: folder)
        let records = [IndexRecord(id: 0, split: "train", label: "0", textA: "a", line: 1),
                       IndexRecord(id: 1, split: "train", label: "1", textA: "b", line: 2)]
        try store.commit(records: records, vectors: [Float](repeating: 0.5, count: 8), keys: IndexStoreTests.keys(records), manifest: manifest())
        let read = try #require(try store.manifest())
        var expected = manifest()
        expected.vectorFile = read.vectorFile
        #expect(read == expected && read.vectorFile != nil)
        #expect(read.formatVersion == Manifest.currentFormat && read.writtenBy == ExemplarVersion.current)
    }

    @Test func aNewerFormatIsRefusedNamingItsWriter() throws {
        var newer = manifest().json
        guard case .object(var fields) = newer else { Issue.record("manifest JSON is not an object"); return }
        fields = fields.map { $0.0 == "formatVersion" ? ($0.0, .int(Manifest.currentFormat + 1)) : $0.0 == "writtenBy" ? ($0.0, .string("7.0.0")) : $0 }
        newer = .object(fields)
        #expect(throws: StoreError.newerFormat(path: "idx", format: Manifest.currentFormat + 1, writtenBy: "7.0.0")) {
            try Manifest(json: Array(newer.text.utf8), path: "idx")
        }
        let message = StoreError.newerFormat(path: "idx", format: 2, writtenBy: "7.0.0").description
        #expect(message.contains("Exemplar 7.0.0") && message.contains("Upgrade Exemplar") && StoreError.newerFormat(path: "", format: 2, writtenBy: nil).exitCode == 2)
        // A manifest written before writtenBy existed (as JSONEncoder wrote it) still reads.
        let old = #"{"buildSeconds":1,"builtAt":"2023-11-14T22:13:20Z","countsByLabel":{"0":1,"1":1},"countsBySplit":{"train":2},"dataFingerprint":"f","embeddedTexts":2,"formatVersion":1,"labels":["0","1"],"model":{"dimension":4,"maxSeqLength":256,"name":"m","normalized":true,"pooling":"mean","weightsSHA256":"abc"},"total":2}"#
        var expected = manifest()
        expected.writtenBy = nil
        expected.formatVersion = 1
        #expect(try Manifest(json: Array(old.utf8), path: "idx") == expected)
    }
}

@Suite struct RecordListStoreTests {
    @Test func lazyRecordsReadBack() throws {
        let folder = try TemporaryFolder.create("lazy")
        defer { TemporaryFolder.remove(folder) }
        let n = 30, dim = 4
        let records = (0..<n).map { IndexRecord(id: UInt32($0), split: "train", label: "\($0 % 2)", textA: "t\($0)", line: $0 + 1) }
        let store = try IndexStore(folder: folder)
        try store.commit(records: records, vectors: (0..<(n * dim)).map { Float($0 % 97 + 1) },
                         keys: records.map { IndexStore.cacheKey(modelHash: "h", text: $0.textA) },
                         manifest: Manifest(model: .init(name: "m", weightsSHA256: "abc", dimension: dim, pooling: "mean", normalized: true, maxSeqLength: 256),
                                            task: nil, dataFingerprint: "f", labels: ["0", "1"], countsByLabel: [:], countsBySplit: [:], total: n,
                                            builtAt: Date(), buildSeconds: 0, embeddedTexts: n))
        let list = try store.recordList(deleted: [3])
        #expect(list.count == n)
        #expect(list[5] == records[5])
        #expect(list[3].split == RecordList.deletedSplit && list.stored(3) == records[3])
        #expect(Array(list.appending([IndexRecord(id: UInt32(n), split: "dev", label: "1", textA: "new", line: 0)]).suffix(2).map(\.textA)) == ["t29", "new"])
    }
}
