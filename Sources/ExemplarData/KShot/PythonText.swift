/// Text handling as Python 3 does it in LM-BFF's scripts (`open(f, "r").readlines()`,
/// `str.strip()`, `float()`), for byte-exact k-shot files.
enum PythonText {
    /// The lines of a file as `open(path, "r").readlines()` gives them with a UTF-8 locale:
    /// universal newlines ("\r\n" and a lone "\r" become "\n"), each line keeping its "\n",
    /// the last line without one if the file does not end in a line break. A UTF-8
    /// byte-order mark stays in the first line (it is not decoded away by "utf-8").
    static func readLines(_ bytes: [UInt8], file: String) throws(KShotError) -> [String] {
        try bytes.withUnsafeBufferPointer { (buffer) throws(KShotError) -> [String] in
            var splitter = LineSplitter(buffer)
            var lines: [String] = []
            while let range = splitter.next() {
                guard ByteText.isValidUTF8(range, in: buffer) else {
                    throw .data(.invalidUTF8(file: file, line: splitter.lineNumber))
                }
                var line = ByteText.string(range, in: buffer)
                if range.upperBound < buffer.count { line += "\n" }
                lines.append(line)
            }
            return lines
        }
    }

    /// `line.strip().split('\t')`.
    static func stripSplitTabs(_ line: String) -> [Substring] {
        let stripped = ByteText.pythonStrip(line)
        return stripped.split(separator: "\t", omittingEmptySubsequences: false).map { Substring($0) }
    }

    /// `float(text)` for the numbers GLUE files hold: surrounding whitespace ignored, "nan",
    /// "inf" and "infinity" in any case accepted; nil where Python raises ValueError
    /// (underscores between digits, which Python also accepts, are not supported).
    static func float(_ text: Substring) -> Double? {
        let trimmed = ByteText.pythonStrip(String(text))
        guard !trimmed.isEmpty, !trimmed.lowercased().contains("0x") else { return nil }
        return Double(trimmed)
    }
}
