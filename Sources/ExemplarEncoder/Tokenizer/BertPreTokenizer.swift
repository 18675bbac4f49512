/// Splits normalized text into words like Hugging Face's `BertPreTokenizer`: whitespace
/// separates words and is dropped; each punctuation character becomes a word of its own.
public enum BertPreTokenizer {
    /// The words of `scalars`, in order.
    public static func split(_ scalars: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var words: [ArraySlice<Unicode.Scalar>] = []
        var start = 0
        for (i, s) in scalars.enumerated() {
            if UnicodeProperties.isWhitespace(s) {
                if start < i { words.append(scalars[start..<i]) }
                start = i + 1
            } else if UnicodeProperties.isPunctuation(s) {
                if start < i { words.append(scalars[start..<i]) }
                words.append(scalars[i..<(i + 1)])
                start = i + 1
            }
        }
        if start < scalars.count { words.append(scalars[start..<scalars.count]) }
        return words
    }
}
