/// What a file looks like from its first line, to turn "wrong layout" into "this is RTE's file".
enum LayoutGuess: Equatable {
    /// A header of these GLUE tasks (RTE and WNLI share one).
    case glue([LMBFFTask])
    /// A CoLA row: four tab-separated columns, the second a 0/1 label.
    case cola
    /// A GLUE header without a label column.
    case unlabelledTest
    /// A `label,sentence` row of LM-BFF's CSV tasks.
    case labelSentenceCSV

    /// The guess for a file whose first line is `line`, or nil.
    init?(firstLine line: String) {
        let text = ByteText.pythonStrip(line)
        let columns = text.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        let tasks = LMBFFTask.allCases.filter { task in
            guard let layout = task.glueColumns, layout.hasHeader else { return false }
            return layout.accepts(header: columns)
        }
        if !tasks.isEmpty {
            self = .glue(tasks)
        } else if columns.count == 4 && (columns[1] == "0" || columns[1] == "1") {
            self = .cola
        } else if columns.count >= 2, ["index", "id"].contains(columns[0]) {
            self = .unlabelledTest
        } else if columns.count == 1, let comma = text.firstIndex(of: ","), !text[..<comma].isEmpty,
                  text[..<comma].allSatisfy(\.isNumber) {
            self = .labelSentenceCSV
        } else {
            return nil
        }
    }

    /// "looks like RTE or WNLI", and the like.
    var message: String {
        switch self {
        case .glue(let tasks): "looks like \(tasks.map(\.name).joined(separator: " or "))"
        case .cola: "looks like CoLA (4 columns: source, label, original label, sentence)"
        case .unlabelledTest: "looks like an unlabelled GLUE test file; LM-BFF tests on GLUE's dev.tsv instead"
        case .labelSentenceCSV: "looks like a label,sentence CSV file (sst-5, mr, cr, mpqa, subj, trec)"
        }
    }

    /// The message for a GLUE header that does not fit `layout`.
    static func headerMismatch(_ header: [String], layout: GLUEColumns) -> String {
        let found = header.joined(separator: " ")
        let wanted = layout.columns.joined(separator: " ")
        var reason = "header \"\(found)\" is not \(layout.task)'s (\"\(wanted)\")"
        if !layout.fixedColumnCount, let textB = layout.textB {
            reason += ", which needs \(layout.name(of: layout.textA)) and \(layout.name(of: textB)) in columns "
                + "\(layout.textA + 1) and \(textB + 1) and \(layout.name(of: layout.label)) last"
        }
        if let guess = LayoutGuess(firstLine: header.joined(separator: "\t")) {
            reason += "; is this another task's file? (\(guess.message))"
        }
        return reason
    }
}
