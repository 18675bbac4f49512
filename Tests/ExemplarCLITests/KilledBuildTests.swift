import ExemplarIndex
import ExemplarStore
import ExemplarTestSupport
import Foundation
import Testing

/// `exemplar build` killed with SIGKILL: what it leaves behind and how the next build resumes.
extension IndexCommandTests {
    /// "complete N", "incomplete", or the error opening the index at `path` gives.
    static func openState(_ path: String) -> String {
        do {
            return "complete \(try LoadedIndex.open(URL(fileURLWithPath: path)).manifest.total)"
        } catch IndexError.incomplete {
            return "incomplete"
        } catch {
            return "\(error)"
        }
    }

    /// Vectors in the cache of the index in `folder`.
    static func cacheCount(_ folder: URL) throws -> Int {
        try IndexFolder.openStore(folder, create: false).cacheCount()
    }

    /// Whether a build of the index in `folder` has begun writing: its interrupted-build flag
    /// is set or its cache holds more than `cachedBefore` vectors.
    static func buildUnderWay(_ folder: URL, cachedBefore: Int) -> Bool {
        guard let store = try? IndexFolder.openStore(folder, create: false) else { return false }
        return (try? store.hasInterruptedBuild()) == true || ((try? store.cacheCount()) ?? 0) > cachedBefore
    }

    /// The data fingerprint a build of the index in `folder` records for its data as it is now.
    static func fingerprint(_ folder: URL) throws -> String {
        IndexBuilder.fingerprint(try IndexSource.load(IndexDefinition.load(folder: folder), base: folder).records)
    }

    /// kill -9 at random moments of real builds: the index always opens (previous complete
    /// state, or flagged incomplete), the cache only grows, and the resumed build equals an
    /// uninterrupted one, taking exactly what the last kill left cached. Then an update after
    /// a data change is killed once it is under way (see `killUpdate`).
    @Test(.timeLimit(.minutes(3))) func killedBuildsResume() throws {
        let dir = try TemporaryFolder.create("cli")
        defer { TemporaryFolder.remove(dir) }
        let data = dir.appendingPathComponent("data.jsonl")
        try writeDataset(data, n: 3000)
        let reference = dir.appendingPathComponent("reference").path
        let victim = dir.appendingPathComponent("victim").path
        let flags = ["--model", tiny, "--threads", "1", "--chunk-size", "40"]

        let start = Date()
        let full = try cli.run(["build", "--data", data.path, "--out", reference] + flags)
        let duration = Date().timeIntervalSince(start)
        #expect(full.status == 0, "\(full.stderr)")
        let expected = try LoadedIndex.open(URL(fileURLWithPath: reference))

        // At least ten kills, ending on one that left vectors cached, so that the resumed build
        // has something to take from the cache.
        var kills = 0, completed = 0, early = 0, lastCache = 0
        var log: [String] = []
        while (kills < 10 || lastCache == 0) && kills < 40 && completed < 30 && early < 30 {
            let process = try cli.start(["build", "--data", data.path, "--out", victim] + flags)
            let delay = Double.random(in: 0.01...max(0.02, duration))
            Thread.sleep(forTimeInterval: delay)
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                // Killed before the build created its store (a slow start on a loaded machine):
                // nothing was written, and there is nothing to check.
                let storeFile = IndexFolder.storeURL(URL(fileURLWithPath: victim)).appendingPathComponent("data.mdb").path
                guard FileManager.default.fileExists(atPath: storeFile) else {
                    early += 1
                    log.append(String(format: "kill at %.3f s: before the store existed (not counted)", delay))
                    continue
                }
                kills += 1
                let cached = try Self.cacheCount(URL(fileURLWithPath: victim))
                log.append(String(format: "kill %d at %.3f s: %d cached", kills, delay, cached))
                #expect(cached >= lastCache, "\(log)")
                lastCache = cached
                let state = Self.openState(victim)
                // Between creating the store and marking the build started, nothing is committed.
                let nothingYet = cached == 0 && state.contains("has not been built")
                #expect(state == "complete 3000" || state == "incomplete" || nothingYet, "\(state) \(log)")
            } else {
                process.waitUntilExit()
                completed += 1
                #expect(process.terminationStatus == 0)
                // Start over so the next kills land in a first build again.
                try FileManager.default.removeItem(atPath: victim)
                lastCache = 0
            }
        }
        #expect(kills >= 10, "only \(kills) kills landed mid-build in \(kills + completed) runs (build takes \(duration) s)")
        #expect(lastCache > 0, "no kill in \(kills) left a vector cached: \(log)")

        let resumed = try cli.run(["build", "--data", data.path, "--out", victim, "--json"] + flags)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let report = try JSONSerialization.jsonObject(with: resumed.stdout) as? [String: Any]
        // The loop ends on a kill, and the cache holds only distinct texts of this data: the
        // resumed build takes exactly those and embeds the rest (or, killed after the final
        // commit, is up to date and counts all 3000).
        #expect(report?["from_cache"] as? Int == lastCache, "resumed from the cache: \(resumed.out) \(log)")
        let got = try LoadedIndex.open(URL(fileURLWithPath: victim))
        #expect(got.records == expected.records && !got.interruptedBuild)
        #expect(got.manifest.dataFingerprint == expected.manifest.dataFingerprint)
        let a = try IndexFolder.openStore(URL(fileURLWithPath: reference), create: false).load(dimension: 48).vectors
        let b = try IndexFolder.openStore(URL(fileURLWithPath: victim), create: false).load(dimension: 48).vectors
        #expect(a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-5 })

        try killUpdate(URL(fileURLWithPath: victim), data: data, previous: expected, flags: flags, buildSeconds: duration)
    }

    /// Grows the data of the complete index in `folder` (whose content is `previous`) and kills
    /// the update once it is under way, retrying with a larger change until a kill lands in
    /// it. The killed update leaves exactly `previous`, flagged interrupted (or, killed after
    /// its final commit, exactly the new data); the next build takes exactly its cache.
    func killUpdate(_ folder: URL, data: URL, previous start: LoadedIndex, flags: [String], buildSeconds: Double) throws {
        var previous = start
        var rows = start.manifest.total
        var log: [String] = []
        var cachedAtKill: Int?
        for attempt in 1...6 {
            // Only ever more rows: every cached text stays in the data, so from_cache is exact.
            rows += 600 * attempt
            try writeDataset(data, n: rows)
            let cachedBefore = try Self.cacheCount(folder)
            #expect(try !IndexFolder.openStore(folder, create: false).hasInterruptedBuild())
            let process = try cli.start(["build", folder.path] + flags)
            let deadline = Date().addingTimeInterval(60)
            while process.isRunning && !Self.buildUnderWay(folder, cachedBefore: cachedBefore) && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.005)
            }
            Thread.sleep(forTimeInterval: Double.random(in: 0...(buildSeconds / 10)))
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            guard process.terminationReason == .uncaughtSignal else {
                #expect(process.terminationStatus == 0, "attempt \(attempt): the update failed")
                log.append("attempt \(attempt), \(rows) rows: finished before the kill")
                previous = try LoadedIndex.open(folder)
                continue
            }
            let cached = try Self.cacheCount(folder)
            let state = try LoadedIndex.open(folder)
            log.append("attempt \(attempt), \(rows) rows: killed with \(cached) cached (\(cachedBefore) before), "
                       + "index \(state.manifest.total) rows\(state.interruptedBuild ? ", interrupted" : "")")
            #expect(cached >= cachedBefore, "the cache only grows: \(log)")
            if state.interruptedBuild {
                // Killed before its final commit: the previous complete index, exactly.
                #expect(state.manifest.total == previous.manifest.total, "\(log)")
                #expect(state.manifest.dataFingerprint == previous.manifest.dataFingerprint, "\(log)")
                #expect(state.records == previous.records, "\(log)")
            } else {
                // Not flagged, so killed after its final commit: exactly the new data.
                #expect(state.manifest.total == rows, "not flagged interrupted, yet not the new data: \(log)")
                #expect(try state.manifest.dataFingerprint == Self.fingerprint(folder), "\(log)")
            }
            cachedAtKill = cached
            break
        }
        let cached = try #require(cachedAtKill, "no kill landed in an update under way in 6 tries: \(log)")

        let finished = try cli.run(["build", folder.path, "--json"] + flags)
        #expect(finished.status == 0)
        let report = try JSONSerialization.jsonObject(with: finished.stdout) as? [String: Any]
        #expect(report?["from_cache"] as? Int == cached, "took from the cache what the killed update left: \(finished.out) \(log)")
        let final = try LoadedIndex.open(folder)
        #expect(final.manifest.total >= 3600 && !final.interruptedBuild)
        let fingerprint = try Self.fingerprint(folder)
        #expect(final.manifest.total == rows && final.manifest.dataFingerprint == fingerprint, "\(log)")
    }
}
