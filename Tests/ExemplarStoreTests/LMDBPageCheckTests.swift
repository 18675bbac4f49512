@testable import ExemplarStore
import ExemplarTestSupport
import Foundation
import Testing

/// `LMDBPageCheck` on real LMDB files written by `IndexStore`, damaged byte by byte.
@Suite struct LMDBPageCheckTests {
    /// A committed store of `n` records (with vectors and cache entries, some values on overflow pages).
    func storeFile(_ n: Int) throws -> (folder: URL, bytes: [UInt8]) {
        let folder = try TemporaryFolder.create("page-check")
        let store = try IndexStore(folder: folder)
        let dim = 8
        let records = (0..<n).map { IndexRecord(id: UInt32($0), split: "train", label: "\($0 % 2)",
                                                 textA: String(repeating: "long text \($0) ", count: $0 % 50 == 0 ? 600 : 2), line: $0 + 1) }
        try store.cache((0..<n).map { (IndexStore.cacheKey(modelHash: "m", text: "\($0)"), Array(repeating: Float($0), count: dim)[...]) })
        let manifest = Manifest(model: .init(name: "m", weightsSHA256: "abc", dimension: dim, pooling: "mean", normalized: true, maxSeqLength: 256),
                                task: nil, dataFingerprint: "f", labels: ["0", "1"], countsByLabel: ["0": n], countsBySplit: ["train": n],
                                total: n, builtAt: Date(timeIntervalSince1970: 1_700_000_000), buildSeconds: 1, embeddedTexts: n)
        try store.commit(records: records, vectors: (0..<(n * dim)).map { Float($0 % 7) + 1 }, keys: IndexStoreTests.keys(records), manifest: manifest)
        // Rewrite the records once so that the free list holds pages too.
        try store.commit(records: records, vectors: (0..<(n * dim)).map { Float($0 % 5) + 1 }, keys: IndexStoreTests.keys(records), manifest: manifest)
        return (folder, Array(try Data(contentsOf: folder.appendingPathComponent("data.mdb"))))
    }

    func check(_ bytes: [UInt8]) -> LMDBPageCheck.Report { bytes.withUnsafeBytes { LMDBPageCheck.check($0) } }

    @Test func aSoundFileIsSound() throws {
        let (folder, bytes) = try storeFile(2000)
        defer { TemporaryFolder.remove(folder) }
        #expect(check(bytes).isSound, "\(check(bytes).problems)")
    }

    /// Every page that belongs to a tree is found out when its header, its node offsets or a
    /// node header is overwritten with random bytes; pages that hold only value bytes (damage
    /// LMDB cannot see) are for `IndexStore.verify`.
    @Test func overwrittenPagesAreFoundBeforeLMDBFollowsThem() throws {
        let (folder, pristine) = try storeFile(2000)
        defer { TemporaryFolder.remove(folder) }
        let pageSize = 4096
        var generator = SplitMix(seed: 7)
        var found = 0, missed: [Int] = []
        let sound = check(pristine)
        for page in 2..<(pristine.count / pageSize) {
            var bytes = pristine
            // The header and the first node offsets.
            for i in 0..<48 { bytes[page * pageSize + i] = UInt8.random(in: 0...255, using: &generator) }
            if check(bytes).isSound {
                // Only a page outside every tree (free, or an overflow page's continuation) may pass.
                let header = pristine.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: page * pageSize, as: UInt64.self) }
                if sound.isTreePage(page) && header == UInt64(page) { missed.append(page) }
            } else {
                found += 1
            }
        }
        #expect(missed.isEmpty, "tree pages whose damage passed: \(missed)")
        #expect(found > 20, "only \(found) damaged pages found")

        // A truncated map (a file cut after the check by size) and a zeroed meta.
        var cut = pristine
        cut.removeLast(pristine.count / 2)
        #expect(!check(cut).isSound)
        var zeroMeta = pristine
        for i in 0..<(2 * pageSize) { zeroMeta[i] = 0 }
        #expect(check(zeroMeta).problems["main"] != nil)
    }

    /// Damage confined to one named database: the store opens with `allowDamaged`, reading
    /// that database throws `corrupt`, the others read.
    @Test func aDamagedDatabaseIsRefusedAndTheRestReads() throws {
        let (folder, pristine) = try storeFile(2000)
        defer { TemporaryFolder.remove(folder) }
        let pageSize = 4096
        // Find a leaf page of the records database: the last page that is a leaf with a 4-byte first key.
        let report = check(pristine)
        try #require(report.isSound)
        var damagedName: String?
        for page in stride(from: pristine.count / pageSize - 1, to: 2, by: -1) {
            var bytes = pristine
            bytes[page * pageSize + 14] = 0xFF  // upper bound past the page
            bytes[page * pageSize + 15] = 0xFF
            let problems = check(bytes).problems
            if problems.count == 1, let name = problems.keys.first, name == "database records" {
                try Data(bytes).write(to: folder.appendingPathComponent("data.mdb"))
                damagedName = name
                break
            }
        }
        try #require(damagedName != nil, "no page of the records database found")
        #expect(throws: StoreError.self) { _ = try IndexStore(folder: folder, readOnly: true) }
        let store = try IndexStore(folder: folder, readOnly: true, allowDamaged: true)
        // The cache's 2000 entries and the vector file's 2000 rows read.
        #expect(try store.cacheCount() == 4000)
        do {
            _ = try store.load(dimension: 8)
            Issue.record("the damaged records database was read")
        } catch {
            #expect("\(error)".contains("data.mdb records") && "\(error)".contains("--rebuild"), "\(error)")
        }
    }
}
