/// One of LM-BFF's sixteen tasks, named as its data folders are (`data/original/SST-2`).
public enum LMBFFTask: String, CaseIterable, Sendable {
    case sst2 = "SST-2", sst5 = "sst-5", mr, cr, mpqa, subj, trec
    case cola = "CoLA", mnli = "MNLI", snli = "SNLI", qnli = "QNLI", rte = "RTE", wnli = "WNLI"
    case mrpc = "MRPC", qqp = "QQP", stsb = "STS-B"

    /// The task called `name`, ignoring case ("sst-2", "SST-2", "sts-b").
    public init?(name: String) {
        let wanted = name.lowercased()
        guard let task = Self.allCases.first(where: { $0.rawValue.lowercased() == wanted }) else { return nil }
        self = task
    }

    /// The task's name as LM-BFF writes it.
    public var name: String { rawValue }

    /// The label list (LM-BFF's `get_labels`), or nil for STS-B, whose labels are scores.
    public var labels: [String]? {
        switch self {
        case .sst2, .cola, .mrpc, .qqp, .mr, .cr, .mpqa, .subj, .wnli: ["0", "1"]
        case .mnli, .snli: ["contradiction", "entailment", "neutral"]
        case .qnli, .rte: ["entailment", "not_entailment"]
        case .sst5: ["0", "1", "2", "3", "4"]
        case .trec: ["0", "1", "2", "3", "4", "5"]
        case .stsb: nil
        }
    }

    /// Whether labels are numbers (STS-B) rather than classes.
    public var isRegression: Bool { self == .stsb }

    /// The labels the task's files may hold.
    public var labelSpace: LabelSpace { labels.map(LabelSpace.classes) ?? .regression }

    /// How the task's files are laid out.
    public var layout: DataLayout {
        switch self {
        case .sst5, .mr, .cr, .mpqa, .subj, .trec: .headerlessCSV
        default: .glueTSV(glueColumns!)
        }
    }

    /// "tsv" for GLUE tasks, "csv" for the others.
    public var fileExtension: String { glueColumns == nil ? "csv" : "tsv" }

    /// LM-BFF's split names for the task, in order (MNLI's dev and test come matched and mismatched).
    public var splitNames: [String] {
        self == .mnli ? ["train", "dev_matched", "dev_mismatched", "test_matched", "test_mismatched"] : ["train", "dev", "test"]
    }

    /// Columns as in LM-BFF's processors (text_a, text_b, label) and GLUE's headers.
    var glueColumns: GLUEColumns? {
        let name = rawValue
        switch self {
        case .sst2:
            return GLUEColumns(task: name, columns: ["sentence", "label"], textA: 0, label: 1)
        case .cola:
            return GLUEColumns(task: name, columns: ["source", "label", "original label", "sentence"],
                               hasHeader: false, textA: 3, label: 1)
        case .mnli:
            return GLUEColumns(task: name, columns: [
                "index", "promptID", "pairID", "genre", "sentence1_binary_parse", "sentence2_binary_parse",
                "sentence1_parse", "sentence2_parse", "sentence1", "sentence2", "label1", "gold_label",
            ], fixedColumnCount: false, textA: 8, textB: 9, label: -1)
        case .snli:
            return GLUEColumns(task: name, columns: [
                "index", "captionID", "pairID", "sentence1_binary_parse", "sentence2_binary_parse",
                "sentence1_parse", "sentence2_parse", "sentence1", "sentence2", "label1", "gold_label",
            ], fixedColumnCount: false, textA: 7, textB: 8, label: -1)
        case .qnli:
            return GLUEColumns(task: name, columns: ["index", "question", "sentence", "label"], textA: 1, textB: 2, label: -1)
        case .rte, .wnli:
            return GLUEColumns(task: name, columns: ["index", "sentence1", "sentence2", "label"], textA: 1, textB: 2, label: -1)
        case .mrpc:
            return GLUEColumns(task: name, columns: ["Quality", "#1 ID", "#2 ID", "#1 String", "#2 String"],
                               textA: 3, textB: 4, label: 0)
        case .qqp:
            return GLUEColumns(task: name, columns: ["id", "qid1", "qid2", "question1", "question2", "is_duplicate"],
                               textA: 3, textB: 4, label: 5)
        case .stsb:
            return GLUEColumns(task: name, columns: [
                "index", "genre", "filename", "year", "old_index", "source1", "source2", "sentence1", "sentence2", "score",
            ], textA: 7, textB: 8, label: -1)
        case .sst5, .mr, .cr, .mpqa, .subj, .trec:
            return nil
        }
    }
}
