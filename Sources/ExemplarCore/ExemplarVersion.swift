/// The version of Exemplar this build is, written into what it stores (index manifests) so
/// that a reader can say which version wrote a file it cannot read.
public enum ExemplarVersion {
    public static let current = "0.9.0"
}
