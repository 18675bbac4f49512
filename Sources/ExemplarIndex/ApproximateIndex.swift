import ExemplarANN
import ExemplarCore
import ExemplarJSON
import ExemplarKernels
import ExemplarStore
import Foundation

extension ANNSearchParameters {
    /// ", nprobe N" / ", efSearch N" for a partition's line in `build` and `info`.
    public var summary: String {
        (nprobe.map { " at nprobe \($0)" } ?? "") + (efSearch.map { " at efSearch \($0)" } ?? "")
    }
}

/// When and how an index gets approximate (faiss) search: `index.json`'s `"ann"` object, or
/// `exemplar build --ann KIND`.
public struct ANNSettings: Sendable, Equatable {
    public var parameters: ANNParameters
    /// A (split, label) partition with fewer rows is searched exactly (default 50,000).
    public var minRows: Int

    public init(parameters: ANNParameters, minRows: Int = 50_000) {
        self.parameters = parameters
        self.minRows = minRows
    }
}

/// One faiss index per large (split, label) partition of a built index, saved in `NAME/ann/`
/// and tied to the build by its data fingerprint: a partition's rows are its records in id
/// order, so a stale or foreign folder (other fingerprint or row counts) is never used.
public struct ApproximateIndex: Sendable {
    /// One partition: its records' ids by faiss row, the faiss index, recall@10 measured at build.
    public struct Partition: Sendable {
        public let split: String
        public let label: String
        public let ids: [UInt32]
        let index: FaissIndex
        /// The search settings a search that gives none uses: tuned at build (`tune`).
        public let search: ANNSearchParameters
        /// Mean share of the exact 10 nearest other rows found at `search`, on up to 200 of the
        /// partition's own vectors as queries (the query row itself left out of both).
        public let recallAt10: Double
        public var kind: ANNKind { index.kind }
    }

    public let settings: ANNSettings
    public let fingerprint: String
    public let partitions: [Partition]
    /// Each label's splits among the covered records: a label is searched approximately only
    /// when every split a search asks for has a partition.
    let splitsByLabel: [String: [String]]
    /// Ids up to this one (exclusive) are covered; records added online after the build are
    /// searched exactly beside the partitions.
    public let coveredIDs: UInt32
    /// nprobe / efSearch of partitions saved before settings were tuned per partition.
    public static let defaultSearch = ANNSearchParameters(nprobe: 16, efSearch: 64)
    /// The recall@10 a partition's tuned settings reach on its own rows where they can
    /// (`tune`). Above the 0.95 searches aim for: queries that are not rows of the index score
    /// lower (bench-scale's held-out queries: 0.937 at the nprobe whose own-row recall was 0.96).
    public static let recallTarget = 0.97
    /// The settings tried, cheapest first: nprobe (IVF) and efSearch (HNSW).
    static let nprobeSteps = [8, 16, 32, 64, 128, 256], efSearchSteps = [32, 64, 128, 256, 512]

    /// The folder inside an index folder.
    public static func folder(in index: URL) -> URL { index.appendingPathComponent("ann", isDirectory: true) }

    /// Reads the partitions' memory-mapped lists once, so the first searches find them in the
    /// page cache (`serve` runs it in the background at start), in order while they fit in
    /// `budget` bytes (a partition that does not is skipped: reading it would only evict
    /// others); the bytes read.
    public func warm(budget: Int = ApproximateIndex.warmBudget) -> Int {
        partitions.reduce(0) { read, part in read + part.index.warm(most: budget - read) }
    }

    /// What a warm-up reads at most: half the machine's memory (lists beyond that would evict
    /// each other, and everything else, for nothing).
    public static var warmBudget: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory / 2) }

    /// Builds a faiss index for each (split, label) partition of `exact` with at least
    /// `settings.minRows` rows; ids below `coveredIDs` are what the build holds.
    public static func build(_ exact: ExactIndex, settings: ANNSettings, fingerprint: String,
                             progress: (Int, Int) -> Void = { _, _ in }) throws(ANNError) -> ApproximateIndex {
        let plan = partitionRows(exact)
        let large = plan.filter { $0.rows.count >= settings.minRows }
        var built: [Partition] = []
        let dim = exact.dimension
        for (n, part) in large.enumerated() {
            progress(n, large.count)
            // The normalised vectors a chunk at a time, read from the index (never copied whole).
            let index = try FaissIndex.build(settings.parameters, rows: part.rows.count, dimension: dim) { first, count, into in
                for i in 0..<count {
                    exact.vector(at: Int(part.rows[first + i])).withUnsafeBufferPointer { into.advanced(by: i * dim).update(from: $0.baseAddress!, count: dim) }
                }
            }
            let (search, recall) = try tune(index, part: part, exact: exact)
            built.append(Partition(split: part.split, label: part.label, ids: part.rows, index: index, search: search, recallAt10: recall))
        }
        progress(large.count, large.count)
        return ApproximateIndex(settings: settings, fingerprint: fingerprint, partitions: built,
                                splitsByLabel: splits(plan), coveredIDs: UInt32(exact.records.count))
    }

    /// (split, label) partitions in label order, then split by first appearance; rows are record ids.
    static func partitionRows(_ exact: ExactIndex) -> [(split: String, label: String, rows: [UInt32])] {
        exact.partitionIDs()
    }

    static func splits(_ plan: [(split: String, label: String, rows: [UInt32])]) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for part in plan { out[part.label, default: []].append(part.split) }
        return out
    }

    /// The cheapest search settings (`nprobeSteps`, `efSearchSteps`) whose recall@10 reaches
    /// `recallTarget`, else the last tried, with the recall they reach.
    static func tune(_ index: FaissIndex, part: (split: String, label: String, rows: [UInt32]), exact: ExactIndex) throws(ANNError) -> (ANNSearchParameters, Double) {
        let steps: [ANNSearchParameters]
        switch index.kind {
        case .ivfFlat, .ivfSQ8:
            let lists = index.lists
            // Every step below the list count, then all the lists when that is within the steps.
            let probes = nprobeSteps.filter { $0 < lists } + (lists <= nprobeSteps.last! ? [lists] : [])
            steps = probes.map { ANNSearchParameters(nprobe: $0) }
        case .hnsw: steps = efSearchSteps.map { ANNSearchParameters(efSearch: $0) }
        case .flat: steps = [ANNSearchParameters()]
        }
        let truth = exactNeighbours(part: part, exact: exact)
        var last = (steps[0], 0.0)
        for step in steps {
            last = (step, try measureRecall(index, search: step, part: part, truth: truth))
            if last.1 >= recallTarget { break }
        }
        return last
    }

    /// The sample rows `tune` queries with (up to 200, evenly spread; their normalised vectors)
    /// and each one's exact 10 nearest other rows of the partition (`searchBatch`), as record ids.
    static func exactNeighbours(part: (split: String, label: String, rows: [UInt32]), exact: ExactIndex) -> [(query: [Float], ids: [UInt32])] {
        let rows = part.rows.count, n = min(200, rows)
        let sample = (0..<n).map { $0 * rows / n }
        guard rows > 1 else { return [] }
        let queries = sample.map { exact.vector(at: Int(part.rows[$0])) }
        let answers = exact.searchBatch(queries, k: min(10, rows - 1) + 1, perClass: false,
                                        filter: SearchFilter(label: part.label, split: part.split), method: .exact)
        return zip(zip(sample, queries), answers).map { sampled, answer in
            (sampled.1, Array(answer[0].hits.map(\.id).filter { $0 != part.rows[sampled.0] }.prefix(min(10, rows - 1))))
        }
    }

    /// recall@10 of `index` at `search` against `truth` (`exactNeighbours`).
    static func measureRecall(_ index: FaissIndex, search: ANNSearchParameters, part: (split: String, label: String, rows: [UInt32]),
                              truth: [(query: [Float], ids: [UInt32])]) throws(ANNError) -> Double {
        guard let wanted = truth.first?.ids.count, wanted > 0 else { return 1 }
        let queries = truth.flatMap(\.query)
        let found = try queries.withUnsafeBufferPointer { (q) throws(ANNError) in try index.search(q, k: wanted + 1, search) }
        var shared = 0, total = 0
        for (q, answer) in truth.enumerated() {
            let approximate = Set(found[q].compactMap { $0.id < part.rows.count ? part.rows[$0.id] : nil })
            shared += answer.ids.filter { approximate.contains($0) }.count
            total += answer.ids.count
        }
        return total == 0 ? 1 : Double(shared) / Double(total)
    }

    // MARK: - Files

    /// Writes `ann/` (the description `ann.json` and one `.faiss` file per partition) into a
    /// temporary folder and swaps it in for the old one, so a reader sees the old or the new.
    public func write(into index: URL) throws(ANNError) {
        let fm = FileManager.default
        let target = Self.folder(in: index)
        let temporary = index.appendingPathComponent(".ann.\(getpid()).tmp", isDirectory: true)
        // What a killed earlier write left behind.
        for name in (try? fm.contentsOfDirectory(atPath: index.path)) ?? [] where name.hasPrefix(".ann.") {
            try? fm.removeItem(at: index.appendingPathComponent(name))
        }
        do { try fm.createDirectory(at: temporary, withIntermediateDirectories: false) } catch {
            throw ANNError("cannot create \(temporary.lastPathComponent) in \(index.lastPathComponent): \(error.localizedDescription)")
        }
        for (n, part) in partitions.enumerated() {
            try part.index.write(to: temporary.appendingPathComponent(Self.fileName(n)))
        }
        try writeDescription(in: temporary)
        let old = index.appendingPathComponent(".ann.\(getpid()).old", isDirectory: true)
        if fm.fileExists(atPath: target.path) { _ = rename(target.path, old.path) }
        guard rename(temporary.path, target.path) == 0 else {
            throw ANNError("cannot move the new ann folder into place: \(String(cString: strerror(errno)))")
        }
        try? fm.removeItem(at: old)
    }

    /// The faiss file of partition `n`.
    static func fileName(_ n: Int) -> String { "p\(n).faiss" }

    /// `ann.json`: the settings, the fingerprint of the build it belongs to, the partitions.
    var description: JSONValue {
        let p = settings.parameters
        return .object(dropping: [
            ("covered_ids", .int(Int(coveredIDs))), ("ef_construction", .int(p.efConstruction)),
            ("fingerprint", .string(fingerprint)), ("kind", .string(p.kind.rawValue)), ("links", .int(p.links)),
            ("lists", p.lists.map(JSONValue.int)), ("min_rows", .int(settings.minRows)),
            ("partitions", .array(partitions.enumerated().map { n, part in
                .object(dropping: [("ef_search", part.search.efSearch.map(JSONValue.int)), ("file", .string(Self.fileName(n))),
                                   ("label", .string(part.label)), ("nprobe", part.search.nprobe.map(JSONValue.int)),
                                   ("recall_at_10", .number(part.recallAt10)), ("rows", .int(part.ids.count)),
                                   ("split", .string(part.split))])
            })),
        ])
    }

    /// Writes `ann.json` into `folder` through a temporary file and a rename.
    func writeDescription(in folder: URL) throws(ANNError) {
        let json = folder.appendingPathComponent("ann.json")
        let temporary = folder.appendingPathComponent(".ann.json.\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(description.prettyText.utf8)),
              rename(temporary.path, json.path) == 0 else {
            unlink(temporary.path)
            throw ANNError("cannot write \(json.lastPathComponent) in \(folder.lastPathComponent)")
        }
    }

    /// The settings `ann.json` records (strict: a bad field is an error naming it).
    static func settings(_ root: JSONReader) throws -> ANNSettings {
        guard let kindName = try root.string("kind"), let kind = ANNKind(rawValue: kindName) else {
            throw JSONError.field(path: "kind", reason: "must be one of \(ANNKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let parameters = ANNParameters(kind: kind, lists: try root.int("lists", range: 1...Int(Int32.max)),
                                       links: try root.int("links", range: 2...4096) ?? 32,
                                       efConstruction: try root.int("ef_construction", range: 1...100_000) ?? 80)
        return ANNSettings(parameters: parameters, minRows: try root.int("min_rows", range: 1...Int.max) ?? 50_000)
    }

    /// The saved partitions of the index in `folder` when they belong to this build of `exact`
    /// (same fingerprint, same partition rows); nil when there are none or they are stale.
    /// A damaged file is an error naming it.
    public static func read(folder: URL, exact: ExactIndex, fingerprint: String) throws(ANNError) -> ApproximateIndex? {
        let dir = Self.folder(in: folder)
        let jsonURL = dir.appendingPathComponent("ann.json")
        guard let bytes = FileManager.default.contents(atPath: jsonURL.path) else { return nil }
        do {
            let root = try JSONReader(bytes: [UInt8](bytes))
            guard try root.string("fingerprint") == fingerprint else { return nil }
            let settings = try Self.settings(root)
            let covered = try root.int("covered_ids", range: 0...Int(UInt32.max)) ?? 0
            guard covered <= exact.records.count else { return nil }
            let plan = partitionRows(exact)
            var parts: [Partition] = []
            for entry in try root.objects("partitions") ?? [] {
                guard let split = try entry.string("split"), let label = try entry.string("label"),
                      let file = try entry.string("file"), !file.contains("/") else {
                    throw ANNError("\(jsonURL.path): a partition lacks split, label or file", exitCode: 2)
                }
                // Rows covered by the build: the partition's records with ids below covered_ids.
                guard let rows = plan.first(where: { $0.split == split && $0.label == label })?.rows.filter({ $0 < UInt32(covered) }) else { return nil }
                let index = try FaissIndex.read(dir.appendingPathComponent(file))
                guard index.count == rows.count, index.dimension == exact.dimension else { return nil }
                // Saved before tuning: the old fixed defaults.
                let nprobe = try entry.int("nprobe", range: 1...Int(Int32.max)), efSearch = try entry.int("ef_search", range: 1...Int(Int32.max))
                let search = nprobe == nil && efSearch == nil ? defaultSearch : ANNSearchParameters(nprobe: nprobe, efSearch: efSearch)
                parts.append(Partition(split: split, label: label, ids: rows, index: index, search: search,
                                       recallAt10: try entry.double("recall_at_10") ?? 0))
            }
            let coveredPlan = plan.map { ($0.split, $0.label, $0.rows.filter { $0 < UInt32(covered) }) }.filter { !$0.2.isEmpty }
            return ApproximateIndex(settings: settings, fingerprint: fingerprint, partitions: parts,
                                    splitsByLabel: splits(coveredPlan), coveredIDs: UInt32(covered))
        } catch let error as ANNError {
            throw error
        } catch {
            throw ANNError("\(jsonURL.path): \(error)", exitCode: 2)
        }
    }

    /// The same partitions tagged with an online edit's new fingerprint: `ann.json` is
    /// rewritten (temporary file, then rename) so the next open still uses them. A crash
    /// between the edit's commit and this leaves the old tag: the next open searches exactly.
    public func retagged(_ newFingerprint: String, in index: URL) -> ApproximateIndex {
        let next = ApproximateIndex(settings: settings, fingerprint: newFingerprint, partitions: partitions,
                                    splitsByLabel: splitsByLabel, coveredIDs: coveredIDs)
        // Only over the description of this build's partitions (a newer build's stays).
        if let bytes = FileManager.default.contents(atPath: Self.folder(in: index).appendingPathComponent("ann.json").path),
           let root = try? JSONReader(bytes: [UInt8](bytes)), (try? root.string("fingerprint")) == fingerprint {
            try? next.writeDescription(in: Self.folder(in: index))
        }
        return next
    }

    /// What `ann/ann.json` says, for `info` (no faiss file is loaded).
    public struct Summary: Sendable {
        public var settings: ANNSettings
        /// Whether it belongs to the manifest's build (else searches are exact until the next build).
        public var current: Bool
        public var partitions: [(split: String, label: String, rows: Int, recallAt10: Double, search: ANNSearchParameters)]

        public var json: JSONValue {
            .object([("current", .bool(current)), ("kind", .string(settings.parameters.kind.rawValue)),
                     ("min_rows", .int(settings.minRows)),
                     ("partitions", .array(partitions.map { p in
                         .object(dropping: [("ef_search", p.search.efSearch.map(JSONValue.int)), ("label", .string(p.label)),
                                            ("nprobe", p.search.nprobe.map(JSONValue.int)), ("recall_at_10", .number(p.recallAt10)),
                                            ("rows", .int(p.rows)), ("split", .string(p.split))])
                     }))])
        }
    }

    public static func summary(in index: URL, fingerprint: String) -> Summary? {
        guard let bytes = FileManager.default.contents(atPath: folder(in: index).appendingPathComponent("ann.json").path),
              let root = try? JSONReader(bytes: [UInt8](bytes)), let settings = savedSettings(in: index) else { return nil }
        let parts = ((try? root.objects("partitions")) ?? nil) ?? []
        return Summary(settings: settings, current: ((try? root.string("fingerprint")) ?? nil) == fingerprint,
                       partitions: parts.map { p in
                           (((try? p.string("split")) ?? nil) ?? "", ((try? p.string("label")) ?? nil) ?? "",
                            ((try? p.int("rows")) ?? nil) ?? 0, ((try? p.double("recall_at_10")) ?? nil) ?? 0,
                            ANNSearchParameters(nprobe: (try? p.int("nprobe")) ?? nil, efSearch: (try? p.int("ef_search")) ?? nil))
                       })
    }

    /// The settings the saved `ann/` was built with, whatever build it belongs to.
    public static func savedSettings(in index: URL) -> ANNSettings? {
        guard let bytes = FileManager.default.contents(atPath: folder(in: index).appendingPathComponent("ann.json").path),
              let root = try? JSONReader(bytes: [UInt8](bytes)) else { return nil }
        return try? settings(root)
    }

    /// After a build: (re)builds `ann/` for the index in `folder` with `settings` (nil: the
    /// settings it was last built with, if any) unless it already belongs to this build with
    /// those settings. Returns what is in place, or nil when the index has no ANN.
    public static func update(folder: URL, settings: ANNSettings?, threads: Int,
                              progress: (Int, Int) -> Void = { _, _ in }) throws -> ApproximateIndex? {
        guard let settings = settings ?? savedSettings(in: folder) else { return nil }
        let index = try LoadedIndex.open(folder, lazyRecords: true)
        if let current = index.exact.approximate, current.settings == settings { return current }
        FaissIndex.setThreads(threads)
        let built = try build(index.exact, settings: settings, fingerprint: index.manifest.dataFingerprint, progress: progress)
        try built.write(into: folder)
        return built
    }

    /// Removes a saved `ann/` folder (an index built without ANN).
    public static func remove(from index: URL) {
        try? FileManager.default.removeItem(at: folder(in: index))
    }

    /// The partitions that cover label `label` for `split` (nil: every split), or nil when
    /// some needed partition was not built (then the label is searched exactly).
    func covering(label: String, split: String?) -> [Partition]? {
        let wanted = split.map { [$0] } ?? splitsByLabel[label] ?? []
        var out: [Partition] = []
        for s in wanted {
            guard let p = partitions.first(where: { $0.label == label && $0.split == s }) else { return nil }
            out.append(p)
        }
        return out.isEmpty ? nil : out
    }
}
