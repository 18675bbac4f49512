import ExemplarJSON
import ExemplarIndex
import ExemplarStore
import Foundation

/// `exemplar info`: what an index holds and how it was built.
enum InfoCommand {
    static let spec = CommandSpec(
        name: "info",
        usage: "info INDEX [--json]",
        abstract: "Show an index's counts per label and split, model, size on disk and build time.",
        discussion: """
            EXAMPLE:
              exemplar info indexes/sst-2
            """,
        options: [.json.with(help: "Print the manifest and sizes as JSON.")])

    static func run(_ args: ParsedArguments) throws {
        let (folder, store, manifest, interrupted) = try Common.builtIndex(args, command: spec.name)
        let cached = try store.cacheCount()
        // The cheap check (no value read): entry counts against the manifest; `verify` reads everything.
        let entries = try store.entryCounts()
        guard entries.records == entries.vectors, entries.records >= manifest.total else {
            throw StoreError.corrupt(path: IndexFolder.storeURL(folder).relativePath,
                                     reason: "\(entries.records) records and \(entries.vectors) vectors stored for \(manifest.total) examples; run 'exemplar verify \(folder.relativePath)'")
        }
        let size = store.sizeOnDisk()
        let ann = ApproximateIndex.summary(in: folder, fingerprint: manifest.dataFingerprint)
        if args.flag(.json) {
            print(JSONValue.object(dropping: [("ann", ann?.json), ("cached_embeddings", .int(cached)), ("index", .string(folder.relativePath)),
                                              ("interrupted_build", .bool(interrupted)), ("manifest", manifest.publicJSON),
                                              ("size_on_disk", .int(size))]).prettyText)
            return
        }
        let m = manifest
        var out = "index:      \(folder.relativePath)\n"
        out += "task:       \(m.task ?? "(none)")\n"
        out += "records:    \(m.total)\n"
        out += "labels:     " + m.labels.map { "\($0) \(m.countsByLabel[$0] ?? 0)" }.joined(separator: ", ") + "\n"
        out += "splits:     " + m.countsBySplit.keys.sorted { splitOrder($0) < splitOrder($1) }
            .map { "\($0) \(m.countsBySplit[$0]!)" }.joined(separator: ", ") + "\n"
        out += "model:      \(m.model.name), dim \(m.model.dimension), \(m.model.pooling) pooling"
            + (m.model.normalized ? ", normalized" : "") + ", max \(m.model.maxSeqLength) tokens\n"
        out += "weights:    sha256 \(m.model.weightsSHA256)\n"
        out += "built:      \(ISO8601DateFormatter().string(from: m.builtAt)) in \(String(format: "%.2f", m.buildSeconds)) s (\(m.embeddedTexts) texts embedded)\n"
        out += "on disk:    \(formatBytes(size)) (\(cached) cached embeddings)\n"
        if let ann {
            var line = "ann:        \(ann.settings.parameters.kind.rawValue)"
            if !ann.current { line += " (stale: made for another build; searches are exact until 'exemplar build \(folder.relativePath)')" }
            let parts = ann.partitions.map { "\($0.split)/\($0.label) \($0.rows) rows, recall@10 \(String(format: "%.3f", $0.recallAt10))\($0.search.summary)" }
            line += parts.isEmpty ? "; no partition reaches \(ann.settings.minRows) rows: all exact" : "; " + parts.joined(separator: "; ")
            out += line + "\n"
        }
        if interrupted { out += "warning:    a later build did not finish; run 'exemplar build \(folder.relativePath)' to resume it\n" }
        print(out, terminator: "")
    }

    static func splitOrder(_ s: String) -> (Int, String) {
        (["train", "dev", "dev_matched", "dev_mismatched", "test", "test_matched", "test_mismatched"].firstIndex(of: s) ?? 99, s)
    }

    static func formatBytes(_ n: Int) -> String {
        n >= 1 << 20 ? String(format: "%.1f MiB", Double(n) / Double(1 << 20)) : String(format: "%.1f KiB", Double(n) / 1024)
    }
}
