import ExemplarIndex
import ExemplarJSON
import Foundation

/// `exemplar compact`: returns the pages LMDB freed to the file system.
enum CompactCommand {
    static let spec = CommandSpec(
        name: "compact",
        usage: "compact INDEX [--json]",
        abstract: "Return the disk space rebuilds and online edits freed inside an index's LMDB file.",
        discussion: """
            LMDB keeps the pages a rebuild or an online edit frees inside data.mdb for later
            writes: the file never shrinks on its own. 'compact' writes a copy of the live pages,
            checks that it reads back with the same manifest, and swaps it in; the vector file is
            linked, not copied, and results do not change. Needs free space for the copy (at most
            data.mdb's size) and the index to itself: it stops, naming the processes, when a
            server or another command has the index open.

            A kill at any moment leaves the index as it was or compacted; the next command that
            opens the index completes or tidies the swap.

            EXAMPLE:
              exemplar compact indexes/sst-2
            """,
        options: [.json.with(help: "Print {\"index\", \"bytes_before\", \"bytes_after\", \"size_on_disk\"} as JSON.")])

    static func run(_ args: ParsedArguments) throws {
        guard args.positionals.count == 1 else { throw UsageError(command: spec.name, message: "give one index folder") }
        let folder = URL(fileURLWithPath: args.positionals[0], isDirectory: true)
        let report = try IndexCompaction.compact(folder: folder)
        if args.flag(.json) {
            print(JSONValue.object([("bytes_after", .int(report.bytesAfter)), ("bytes_before", .int(report.bytesBefore)),
                                    ("index", .string(folder.relativePath)), ("size_on_disk", .int(report.sizeOnDisk))]).prettyText)
        } else {
            let mib = { (bytes: Int) in String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
            print("\(folder.relativePath): data.mdb \(mib(report.bytesBefore)) -> \(mib(report.bytesAfter)); index \(mib(report.sizeOnDisk)) on disk")
        }
    }
}
