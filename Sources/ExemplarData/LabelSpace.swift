/// The labels a reader accepts; any other label is an error naming the row.
public enum LabelSpace: Sendable, Hashable {
    /// Exactly one of these strings (a classification task's label list).
    case classes([String])
    /// A finite number, kept as written (STS-B's similarity score).
    case regression
    /// Any string.
    case any
}
