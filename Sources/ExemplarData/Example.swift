/// One labelled row of a dataset file: a sentence or a sentence pair, its label, and where it is.
public struct Example: Sendable, Hashable {
    /// The sentence, or the first sentence of a pair.
    public var textA: String
    /// The second sentence of a pair (MRPC, QQP, STS-B, MNLI, SNLI, QNLI, RTE, WNLI); nil otherwise.
    public var textB: String?
    /// The label as the file writes it: "1", "entailment", or an STS-B score such as "3.800".
    public var label: String
    /// The 1-based line where the row starts (a quoted CSV field may run over several lines).
    public var line: Int

    public init(textA: String, textB: String? = nil, label: String, line: Int) {
        self.textA = textA
        self.textB = textB
        self.label = label
        self.line = line
    }

    /// The sentence LM-BFF's `tools/get_sbert_embedding.py` embeds for this row: `textA`, or
    /// `textA + " " + textB` for a pair.
    ///
    /// The readers trim GLUE lines the way that script does (`line.strip()`), so for LM-BFF's
    /// files this is its sentence exactly; an empty CSV cell gives "", as its `pd.isna` check does.
    public var lmbffSentence: String {
        Self.embeddingText(textA, textB)
    }

    /// The text a sentence or pair is embedded as, everywhere (builds, online additions, new
    /// queries): `textA`, or for a pair `textA + " " + textB`, as LM-BFF's `get_sbert_embedding.py` does.
    public static func embeddingText(_ textA: String, _ textB: String?) -> String {
        guard let textB else { return textA }
        return textA + " " + textB
    }

    /// `embeddingText` of one sentence or a pair given as a list (a query's sentences).
    public static func embeddingText(_ sentences: [String]) -> String {
        embeddingText(sentences[0], sentences.count > 1 ? sentences[1] : nil)
    }
}

extension Example {
    /// The sentence LM-BFF's `tools/get_sbert_embedding.py` embeds for this row of `task`:
    /// `lmbffSentence`, except that for the CSV tasks a cell pandas reads as NaN ("", "NA",
    /// "null", "nan", "N/A", ...: pandas 1.1.5's default NA strings) gives "".
    public func lmbffSentence(task: LMBFFTask) -> String {
        if case .headerlessCSV = task.layout, textB == nil, PandasCSV.naValues.contains(textA) { return "" }
        return lmbffSentence
    }
}
