/// What a reader returns: the rows it read, in file order, and the bad rows it skipped.
public struct ReadResult: Sendable, Equatable {
    /// The rows, in file order.
    public var examples: [Example]
    /// One error per row skipped because `skipBadRows` was set; empty otherwise.
    public var skipped: [DataError]

    public init(examples: [Example] = [], skipped: [DataError] = []) {
        self.examples = examples
        self.skipped = skipped
    }
}
