import Foundation

/// `exemplar merge`: builds an index from the vectors its shards (`build --shard I/N`) wrote.
enum MergeCommand {
    static let spec = CommandSpec(
        name: "merge",
        usage: "merge INDEX [build options]",
        abstract: "Build an index from the vectors its shards ('build --shard I/N') embedded, embedding nothing.",
        discussion: """
            Reads INDEX/shards/shard-*.bin (and whatever the index already holds), builds the
            index as 'exemplar build INDEX' would, and deletes the shard files. When some rows
            have no vector (a shard did not run or did not finish), nothing is built: the error
            names the rows; run those shards again (they resume), or 'exemplar build INDEX' to
            embed the rest here. Takes the build's options (--ann, --json, ...).

            EXAMPLE (4 shards on one machine; deploy/ has a Kubernetes Indexed Job and a Slurm array):
              for i in 0 1 2 3; do exemplar build indexes/pool --shard $i/4 --threads 1 & done; wait
              exemplar merge indexes/pool --json
            """,
        // The build's options (BuildCommand.run reads them all); --shard, --vectors and --rebuild are refused.
        options: BuildCommand.spec.options)

    static func run(_ args: ParsedArguments) throws {
        try BuildCommand.run(args, merge: true)
    }
}
