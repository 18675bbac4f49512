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
            the vector size, and each vector equals the cached embedding of its text (the two
            copies are written together: damage to either shows). Before any of it, every page
            of the LMDB file is checked, so damage LMDB cannot follow is reported, not a crash. 'info' runs the
            cheap part (entry counts against the manifest).

            To recover from damage: 'exemplar build INDEX --rebuild' (rebuilds from the data files,
            reusing the cached vectors that read back, and keeps the damaged store aside).

            EXAMPLE:
              exemplar verify indexes/sst-2
            """,
        options: [.json.with(help: "Print {\"ok\", \"records\", \"vectors\", \"cached\", \"problems\"} as JSON.")])

    static func run(_ args: ParsedArguments) throws {
        let (folder, store, manifest, _) = try Common.builtIndex(args, command: spec.name)
        let result = try IndexVerification.run(folder: folder, store: store, manifest: manifest)
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
