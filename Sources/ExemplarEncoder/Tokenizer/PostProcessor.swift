/// tokenizer.json's `post_processor`: the special tokens put around the model's tokens.
public indirect enum PostProcessor: Sendable {
    /// `[CLS] A [SEP]`, pairs `[CLS] A [SEP] B [SEP]`.
    case bert(cls: Int32, sep: Int32)
    /// `<s> A </s>`, pairs `<s> A </s> </s> B </s>`.
    case roberta(cls: Int32, sep: Int32)
    /// Templates of special-token ids and sequences (`A`, `B`).
    case template(single: [TemplatePiece], pair: [TemplatePiece])
    /// Offsets only: ids unchanged.
    case byteLevel
    case sequence([PostProcessor])

    /// One item of a `TemplateProcessing` template.
    public enum TemplatePiece: Sendable {
        case special([Int32])
        case sequenceA, sequenceB
    }

    /// How many ids processing adds (what truncation leaves room for).
    func addedCount(pair: Bool) -> Int {
        switch self {
        case .bert: return pair ? 3 : 2
        case .roberta: return pair ? 4 : 2
        case .template(let single, let pairTemplate):
            return (pair ? pairTemplate : single).reduce(0) { n, p in
                if case .special(let ids) = p { return n + ids.count }
                return n
            }
        case .byteLevel: return 0
        case .sequence(let steps): return steps.reduce(0) { $0 + $1.addedCount(pair: pair) }
        }
    }

    /// The final ids of `a` (and `b`).
    func process(_ a: [Int32], _ b: [Int32]?) -> [Int32] {
        switch self {
        case .bert(let cls, let sep):
            guard let b else { return [cls] + a + [sep] }
            return [cls] + a + [sep] + b + [sep]
        case .roberta(let cls, let sep):
            guard let b else { return [cls] + a + [sep] }
            return [cls] + a + [sep, sep] + b + [sep]
        case .template(let single, let pairTemplate):
            var out: [Int32] = []
            out.reserveCapacity(a.count + (b?.count ?? 0) + 4)
            for p in b == nil ? single : pairTemplate {
                switch p {
                case .special(let ids): out.append(contentsOf: ids)
                case .sequenceA: out.append(contentsOf: a)
                case .sequenceB: out.append(contentsOf: b ?? [])
                }
            }
            return out
        case .byteLevel:
            return a + (b ?? [])
        case .sequence(let steps):
            // Each step sees the previous one's output as one sequence (tokenizers merges the pair after the first that adds tokens).
            var ids = a
            var second = b
            for step in steps {
                ids = step.process(ids, second)
                if case .byteLevel = step { continue }
                second = nil
            }
            return ids + (second ?? [])
        }
    }
}
