import ExemplarIndex
import ExemplarJSON
import ExemplarStore
import Foundation

/// `exemplar verify`: reads every stored value of an index and checks it against its manifest.
enum VerifyCommand {
    static let spec = CommandSpec(
        name: "verify",
        usage: "verify INDEX [--json]",
        abstract: "Read every record, vector and cached vector of an index and check them; exit 1 naming what is wrong.",
        discussion: """
            Checks: ids 0..n-1 in order, every record decodes, every vector has the model's
            dimension of finite values and is not all zeros, as many vectors as records, counts
            per label and split equal the manifest's (after online deletions), cache values have
            the vector size. Damage LMDB itself cannot read is reported as such. 'info' runs the
            cheap part (entry counts against the manifest).

            To recover from damage: 'exemplar build INDEX --rebuild' (rebuilds from the data files,
            reusing the cached vectors that read back, and keeps the damaged store aside).

            EXAMPLE:
              exemplar verify indexes/sst-2
            """,
        options: [.json.with(help: "Print {\"ok\", \"records\", \"vectors\", \"cached\", \"problems\"} as JSON.")])

    static func run(_ args: ParsedArguments) throws {
        let (folder, store, manifest, _) = try Common.builtIndex(args, command: spec.name)
        var result = try store.verify(dimension: manifest.model.dimension)
        if result.problems.isEmpty {
            // Counts against the manifest, with online deletions applied as a search sees them.
            let index = try LoadedIndex.open(folder, store: store)
            let live = index.records.filter { !index.deleted.contains($0.id) }
            var byLabel: [String: Int] = [:], bySplit: [String: Int] = [:]
            for r in live { byLabel[r.label, default: 0] += 1; bySplit[r.split, default: 0] += 1 }
            if live.count != manifest.total { result.problems.append("the manifest counts \(manifest.total) examples, the index holds \(live.count)") }
            if byLabel != manifest.countsByLabel.filter({ $0.value > 0 }) { result.problems.append("counts by label differ from the manifest's") }
            if bySplit != manifest.countsBySplit.filter({ $0.value > 0 }) { result.problems.append("counts by split differ from the manifest's") }
            if let bad = index.deleted.first(where: { Int($0) >= index.records.count }) {
                result.problems.append("deleted id \(bad) is not a record")
            }
            // BM25 postings: readable, and what the records' words give.
            result.problems += try store.verifyLexical(records: index.records.count, expected: manifest.lexical?.documents)
            if let lexical = index.lexical, lexical != IndexBuilder.postings(index.records) {
                result.problems.append("the BM25 postings differ from the records' words; run 'exemplar build \(folder.relativePath) --rebuild'")
            }
        }
        if args.flag(.json) {
            print(JSONValue.object([("ok", .bool(result.problems.isEmpty)), ("records", .int(result.records)),
                                    ("vectors", .int(result.vectors)), ("cached", .int(result.cached)),
                                    ("problems", .strings(result.problems))]).prettyText)
        }
        guard result.problems.isEmpty else {
            throw StoreError.corrupt(path: IndexFolder.storeURL(folder).relativePath, reason: result.problems.joined(separator: "; "))
        }
        if !args.flag(.json) {
            print("\(folder.relativePath): ok (\(result.records) records, \(result.vectors) vectors, \(result.cached) cached embeddings)")
        }
    }
}
