import ExemplarData

/// LM-BFF's manual templates and label words per task (its `run_experiment.sh`).
public enum TaskTemplates {
    /// The template and label words LM-BFF uses for `task`.
    public static func manual(for task: LMBFFTask) -> (template: String, labelWords: [String: String]) {
        switch task {
        case .sst2, .mr, .cr, .mpqa:
            return ("*cls**sent_0*_It_was*mask*.*sep+*", ["0": "terrible", "1": "great"])
        case .sst5:
            return ("*cls**sent_0*_It_was*mask*.*sep+*", ["0": "terrible", "1": "bad", "2": "okay", "3": "good", "4": "great"])
        case .subj:
            return ("*cls**sent_0*_This_is*mask*.*sep+*", ["0": "subjective", "1": "objective"])
        case .cola:
            return ("*cls**sent_0*_This_is*mask*.*sep+*", ["0": "incorrect", "1": "correct"])
        case .trec:
            return ("*cls**mask*:*+sent_0**sep+*", ["0": "Description", "1": "Entity", "2": "Expression",
                                                  "3": "Human", "4": "Location", "5": "Number"])
        case .mrpc, .qqp, .stsb:
            return ("*cls**sent_0**mask*,*+sentl_1**sep+*", ["0": "No", "1": "Yes"])
        case .mnli, .snli:
            return ("*cls**sent-_0*?*mask*,*+sentl_1**sep+*", ["contradiction": "No", "entailment": "Yes", "neutral": "Maybe"])
        case .qnli, .rte:
            return ("*cls**sent-_0*?*mask*,*+sentl_1**sep+*", ["entailment": "Yes", "not_entailment": "No"])
        case .wnli:
            return ("*cls**sent-_0*?*mask*,*+sentl_1**sep+*", ["0": "No", "1": "Yes"])
        }
    }
}
