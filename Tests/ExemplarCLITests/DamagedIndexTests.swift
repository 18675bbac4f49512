import ExemplarIndex
import ExemplarTestSupport
import Foundation
import Testing

/// A damaged data.mdb is an error naming the damage, never a signal: truncation is caught
/// before LMDB maps the file, pages LMDB cannot read end in its assertion hook's message.
@Suite(.timeLimit(.minutes(2))) struct DamagedIndexTests {
    let cli = CLIRunner()
    var tiny: String { Fixtures.url("tiny-bert-max").path }

    @Test func truncatedDataFilesAreErrorsNotSignals() throws {
        let dir = try TemporaryFolder.create("exemplar-damage")
        defer { TemporaryFolder.remove(dir) }
        let data = dir.appendingPathComponent("data.jsonl")
        let rows = (0..<8000).map { #"{"text": "a sentence to index, number \#($0)", "label": "\#($0 % 2)"}"# }
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: data)
        let index = dir.appendingPathComponent("idx")
        let built = try cli.run(["build", "--data", data.path, "--out", index.path, "--model", tiny, "--threads", "1"])
        try #require(built.status == 0, "\(built.stderr)")
        let file = IndexFolder.storeURL(index).appendingPathComponent("data.mdb")
        let pristine = try Data(contentsOf: file)
        let healthy = try cli.run(["verify", index.path])
        #expect(healthy.status == 0 && healthy.out.contains("ok (8000 records, 8000 vectors"), "\(healthy.stderr)")
        try #require(pristine.count > 256 << 10, "\(pristine.count) bytes")

        for cut in [8192, pristine.count / 2, pristine.count - 4096] {
            try pristine.prefix(cut).write(to: file)
            for args in [["info", index.path], ["query", index.path, "x", "--model", tiny], ["build", index.path, "--model", tiny],
                         ["serve", "--index", index.path, "--port", "0", "--model", tiny]] {
                let r = try cli.run(args, timeout: 30)
                #expect(r.status == 1, "\(args[0]) on data.mdb cut to \(cut) bytes: status \(r.status) \(r.stderr)")
                #expect(r.stderr.contains("truncated") && r.stderr.contains("damaged"), "\(args[0]), cut \(cut): \(r.stderr)")
            }
        }
        // Zeros in the middle (pages LMDB follows) and a bad meta page: errors, never a signal.
        for (offset, length) in [(pristine.count / 3, 1 << 20), (0, 64), (12_288, 256 * 1024)] {
            var damaged = pristine
            let end = min(damaged.count, offset + length)
            damaged.replaceSubrange(offset..<end, with: Data(count: end - offset))
            try damaged.write(to: file)
            // The page check sees zeros in any page of a tree; zeros only in free pages or in values
            // pass it, and query or verify (which read every value) see them: never a signal.
            let verify = try cli.run(["verify", index.path], timeout: 30)
            #expect(verify.status == 1 && verify.stderr.contains("damaged"), "verify, \(length) zero bytes at \(offset): \(verify.status) \(verify.stderr)")
            let query = try cli.run(["query", index.path, "x", "--model", tiny], timeout: 30)
            #expect(query.status == 1 && query.stderr.contains("damaged"), "query, \(length) zero bytes at \(offset): status \(query.status) \(query.stderr)")
            for args in [["info", index.path], ["build", index.path, "--model", tiny]] {
                let r = try cli.run(args, timeout: 30)
                #expect(r.status == 0 || (r.status == 1 && r.stderr.contains("damaged")), "\(args[0]), \(length) zero bytes at \(offset): status \(r.status) \(r.stderr)")
            }
        }

        // The vector file cut short: an error naming it, for every command that opens the index.
        try pristine.write(to: file)
        let vectorFile = try Self.vectorFile(index)
        let pristineVectors = try Data(contentsOf: vectorFile)
        for cut in [100, pristineVectors.count / 2, pristineVectors.count - 4096] {
            try pristineVectors.prefix(cut).write(to: vectorFile)
            for args in [["info", index.path], ["query", index.path, "x", "--model", tiny], ["verify", index.path],
                         ["serve", "--index", index.path, "--port", "0", "--model", tiny]] {
                let r = try cli.run(args, timeout: 30)
                #expect(r.status == 1 && r.stderr.contains("truncated") && r.stderr.contains("damaged") && r.stderr.contains("--rebuild"),
                        "\(args[0]) on the vector file cut to \(cut) bytes: status \(r.status) \(r.stderr)")
            }
        }

        // Damage no page check can see: one vector's bytes zeroed in the vector file. Searches go
        // on (opening reads no vector); verify names the block and the vector.
        try pristineVectors.write(to: vectorFile)
        let vector = try IndexFolder.openStore(index, create: false, readOnly: true).load(dimension: 48).vectors[(7 * 48)..<(8 * 48)]
        let needle = vector.withUnsafeBytes { Data($0) }
        var silent = pristineVectors
        let found = try #require(silent.range(of: needle), "vector 7's bytes not found in the vector file")
        silent.replaceSubrange(found, with: Data(count: needle.count))
        try silent.write(to: vectorFile)
        #expect(try cli.run(["query", index.path, "x", "--model", tiny]).status == 0)
        let named = try cli.run(["verify", index.path, "--json"])
        #expect(named.status == 1 && named.out.contains("vector 7 is all zeros") && named.out.contains("are damaged")
                && named.out.contains("\"ok\": false"), "\(named.out) \(named.stderr)")

        // The advice in the messages works: build --rebuild, which reuses what of the cache reads back.
        #expect(named.stderr.contains("--rebuild"), "\(named.stderr)")
        let repaired = try cli.run(["build", index.path, "--rebuild", "--model", tiny, "--threads", "1", "--json"])
        #expect(repaired.status == 0, "\(repaired.stderr)")
        #expect(repaired.stderr.contains("7999 cached vectors reused, 1 left out"), "\(repaired.stderr)")
        #expect(repaired.out.contains("\"embedded\": 1"), "\(repaired.out)")
        #expect(try cli.run(["verify", index.path]).status == 0)
        #expect(try LoadedIndex.open(index).manifest.total == 8000)
        let kept = try FileManager.default.contentsOfDirectory(atPath: index.path).filter { $0.hasPrefix("data.damaged-") }
        #expect(kept.count == 1)

        // A store too damaged to open (truncated) or to read (zeros in its pages): rebuilt from the
        // data alone (and whatever part of the cache the page check passes) at the first try.
        for damage in ["truncate", "zeros"] {
            var bytes = try Data(contentsOf: file)
            if damage == "truncate" { bytes = bytes.prefix(bytes.count / 2) } else {
                let n = min(1 << 20, bytes.count / 3)
                bytes.replaceSubrange((bytes.count / 3)..<(bytes.count / 3 + n), with: Data(count: n))
            }
            try bytes.write(to: file)
            let again = try cli.run(["build", index.path, "--rebuild", "--model", tiny, "--threads", "1"])
            #expect(again.status == 0, "\(damage): \(again.stderr)")
            #expect(try cli.run(["verify", index.path]).status == 0, "\(damage)")
        }
        // Each rebuild kept its damaged store under its own name, however close together they ran.
        // The vector file no build refers to any more was not left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: IndexFolder.storeURL(index).path).filter { $0.hasPrefix("vectors-") }.count == 1)
        let allKept = try FileManager.default.contentsOfDirectory(atPath: index.path).filter { $0.hasPrefix("data.damaged-") }
        #expect(allKept.count == 3, "\(allKept)")
    }
}

extension DamagedIndexTests {
    /// The index's current vector file.
    static func vectorFile(_ index: URL) throws -> URL {
        let store = try IndexFolder.openStore(index, create: false, readOnly: true)
        let name = try #require(try store.manifest()?.vectorFile?.name)
        return IndexFolder.storeURL(index).appendingPathComponent(name)
    }

    /// The store folder's files (data.mdb and the vector file), to put back with `restore`.
    static func snapshot(_ index: URL) throws -> [String: Data] {
        let store = IndexFolder.storeURL(index)
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: store.path) where name == "data.mdb" || name.hasPrefix("vectors-") {
            files[name] = try Data(contentsOf: store.appendingPathComponent(name))
        }
        return files
    }

    static func restore(_ files: [String: Data], to index: URL) throws {
        let store = IndexFolder.storeURL(index)
        for name in try FileManager.default.contentsOfDirectory(atPath: store.path) where name.hasPrefix("vectors-") && files[name] == nil {
            try FileManager.default.removeItem(at: store.appendingPathComponent(name))
        }
        for (name, bytes) in files { try bytes.write(to: store.appendingPathComponent(name)) }
    }

    /// Pages overwritten with random bytes (the damage that used to send LMDB outside its map):
    /// info, query, verify and build end in an error naming the damage, or, where the bytes hit
    /// only values, succeed (verify then names what it finds); never a signal. `--rebuild` repairs.
    @Test func overwrittenPagesAreErrorsNotSignals() throws {
        let dir = try TemporaryFolder.create("exemplar-overwrite")
        defer { TemporaryFolder.remove(dir) }
        let data = dir.appendingPathComponent("data.jsonl")
        try Data((0..<3000).map { #"{"text": "an overwritten sentence, number \#($0)", "label": "\#($0 % 3)"}"# }.joined(separator: "\n").utf8).write(to: data)
        let index = dir.appendingPathComponent("idx")
        try #require(try cli.run(["build", "--data", data.path, "--out", index.path, "--model", tiny, "--threads", "1"]).status == 0)
        let file = IndexFolder.storeURL(index).appendingPathComponent("data.mdb")
        let pristine = try Data(contentsOf: file)
        let pristineStore = try Self.snapshot(index)
        let pages = pristine.count / 4096
        var generator = SplitMix(seed: 2026)
        var errors = 0
        for trial in 0..<6 {
            var damaged = pristine
            for _ in 0..<20 {
                let page = Int.random(in: 2..<pages, using: &generator)
                let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
                damaged.replaceSubrange((page * 4096)..<((page + 1) * 4096), with: bytes)
            }
            try damaged.write(to: file)
            for args in [["info", index.path], ["query", index.path, "x", "--model", tiny], ["verify", index.path], ["build", index.path, "--model", tiny]] {
                let r = try cli.run(args, timeout: 30)
                #expect(r.status == 0 || (r.status == 1 && r.stderr.contains("damaged") && r.stderr.contains("--rebuild")),
                        "trial \(trial), \(args[0]): status \(r.status) \(r.stderr)")
                if r.status == 1 { errors += 1 }
            }
            let verify = try cli.run(["verify", index.path], timeout: 30)
            #expect(verify.status == 1, "trial \(trial): verify passed 20 overwritten pages: \(verify.out)")
            let repaired = try cli.run(["build", index.path, "--rebuild", "--model", tiny, "--threads", "1"], timeout: 60)
            #expect(repaired.status == 0, "trial \(trial): \(repaired.stderr)")
            #expect(try cli.run(["verify", index.path]).status == 0, "trial \(trial)")
            try Self.restore(pristineStore, to: index)
            for kept in try FileManager.default.contentsOfDirectory(atPath: index.path) where kept.hasPrefix("data.damaged-") {
                try FileManager.default.removeItem(at: index.appendingPathComponent(kept))
            }
        }
        #expect(errors > 6, "only \(errors) runs saw the damage")

        // Damage no page check can see: plausible floats, one bit off, in the vector file. The
        // block's checksum names it; the rebuild re-embeds only that vector (the others in its
        // block still match the norms written beside them).
        let vector = try IndexFolder.openStore(index, create: false, readOnly: true).load(dimension: 48).vectors[(11 * 48)..<(12 * 48)]
        let needle = vector.withUnsafeBytes { Data($0) }
        let vectorFile = try Self.vectorFile(index)
        var silent = try Data(contentsOf: vectorFile)
        let found = try #require(silent.range(of: needle))
        silent[found.lowerBound + 6] ^= 0x40
        try silent.write(to: vectorFile)
        let named = try cli.run(["verify", index.path, "--json"])
        #expect(named.status == 1 && named.out.contains("the vector file's rows") && named.out.contains("are damaged"), "\(named.out) \(named.stderr)")
        let repaired = try cli.run(["build", index.path, "--rebuild", "--model", tiny, "--threads", "1"])
        #expect(repaired.status == 0 && repaired.stderr.contains("2999 cached vectors reused, 1 left out"), "\(repaired.stderr)")
        #expect(try cli.run(["verify", index.path]).status == 0)

        // A record's text changed in place (still valid UTF-8, same length): its text has no cached embedding.
        var renamed = try Data(contentsOf: file)
        let text = try #require(renamed.range(of: Data("an overwritten sentence, number 1234".utf8)))
        renamed[text.lowerBound] = UInt8(ascii: "A")
        try renamed.write(to: file)
        let textDamage = try cli.run(["verify", index.path])
        #expect(textDamage.status == 1 && textDamage.stderr.contains("record 1234's text is not the text its vector was made from"),
                "\(textDamage.stderr)")
    }

    /// lock.mdb holds no data: LMDB rebuilds it when no other process has the index open, so a
    /// truncated, zeroed or overwritten one changes nothing.
    @Test func aDamagedLockFileIsRebuilt() throws {
        let dir = try TemporaryFolder.create("exemplar-lock")
        defer { TemporaryFolder.remove(dir) }
        let data = dir.appendingPathComponent("data.jsonl")
        try Data((0..<50).map { #"{"text": "sentence \#($0)", "label": "\#($0 % 2)"}"# }.joined(separator: "\n").utf8).write(to: data)
        let index = dir.appendingPathComponent("idx")
        try #require(try cli.run(["build", "--data", data.path, "--out", index.path, "--model", tiny]).status == 0)
        let lock = IndexFolder.storeURL(index).appendingPathComponent("lock.mdb")
        let pristine = try Data(contentsOf: lock)
        var random = SystemRandomNumberGenerator()
        for damage in [Data(), pristine.prefix(100), Data(count: pristine.count), Data((0..<pristine.count).map { _ in UInt8.random(in: 0...255, using: &random) })] {
            try damage.write(to: lock)
            for args in [["info", index.path], ["query", index.path, "x", "--model", tiny], ["verify", index.path], ["build", index.path, "--model", tiny]] {
                let r = try cli.run(args, timeout: 30)
                #expect(r.status == 0, "\(args[0]) with a \(damage.count)-byte lock.mdb: \(r.stderr)")
            }
        }
    }
}

extension DamagedIndexTests {
    /// kill -9 at random moments of `build --rebuild`: the index always opens whole and verifies
    /// (the previous store, or the rebuilt one once swapped in, a half-done swap completed at the
    /// next open), and a last `--rebuild` finishes.
    @Test(.timeLimit(.minutes(3))) func killedRebuildsLeaveAWholeIndex() throws {
        let dir = try TemporaryFolder.create("exemplar-kill-rebuild")
        defer { TemporaryFolder.remove(dir) }
        let data = dir.appendingPathComponent("data.jsonl")
        try Data((0..<3000).map { #"{"text": "rebuilt sentence number \#($0)", "label": "\#($0 % 3)"}"# }.joined(separator: "\n").utf8).write(to: data)
        let index = dir.appendingPathComponent("idx")
        let flags = ["--model", tiny, "--threads", "1", "--chunk-size", "100"]
        try #require(try cli.run(["build", "--data", data.path, "--out", index.path] + flags).status == 0)
        let reference = try LoadedIndex.open(index).records
        let start = Date()
        try #require(try cli.run(["build", index.path, "--rebuild"] + flags).status == 0)
        let duration = Date().timeIntervalSince(start)

        var kills = 0, log: [String] = []
        for attempt in 0..<40 where kills < 10 {
            let process = try cli.start(["build", index.path, "--rebuild"] + flags)
            let delay = Double.random(in: 0.005...max(0.01, duration))
            Thread.sleep(forTimeInterval: delay)
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            log.append(String(format: "attempt %d: %@ at %.3f s", attempt, process.terminationReason == .uncaughtSignal ? "killed" : "finished", delay))
            let opened = try LoadedIndex.open(index)
            #expect(opened.records == reference && !opened.interruptedBuild, "\(log)")
            let verify = try cli.run(["verify", index.path])
            #expect(verify.status == 0, "\(verify.stderr) \(log)")
        }
        #expect(kills >= 10, "only \(kills) kills landed: \(log)")
        let last = try cli.run(["build", index.path, "--rebuild"] + flags)
        #expect(last.status == 0, "\(last.stderr)")
        #expect(try LoadedIndex.open(index).records == reference)
        #expect(!FileManager.default.fileExists(atPath: index.appendingPathComponent("data.rebuild").path))
    }
}
