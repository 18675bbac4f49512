/// LM-BFF's few-shot splits (`tools/generate_k_shot_data.py`), byte-identical to its files.
///
/// For one task and seed: `np.random.seed(seed)`, `np.random.shuffle` the training rows (header
/// set aside), group them by label in first-seen order of the shuffled rows; train = the first
/// K of each label, dev = the next K (next 10K in LM-BFF's `k-shot-10x` mode), both with the
/// header; the test split(s) copied. Labels appear in the files in that first-seen order.
public enum KShotSampler {
    /// One written k-shot folder, `K-SEED/`.
    public struct Split: Sendable {
        /// The folder name, "16-42".
        public var folder: String
        /// Each file's name ("train.tsv", "dev_matched.tsv", "test.csv") and its exact text.
        public var files: [(name: String, text: String)]
        /// Rows per label in train, labels in the order the file lists them.
        public var trainCounts: [(label: String, count: Int)]
        /// Rows per label in dev, in the same label order.
        public var devCounts: [(label: String, count: Int)]
    }

    /// Checks that every label has `k * (devMultiple + 1)` training rows, so train and dev
    /// get K (dev K × `devMultiple`) rows of each label.
    public static func check(_ source: KShotSource, k: Int, devMultiple: Int = 1) throws(KShotError) {
        let needed = k * (devMultiple + 1)
        for (label, count) in source.labelCounts where count < needed {
            throw .notEnoughExamples(task: source.task.name, file: source.trainFile, label: label,
                                     count: count, needed: needed, k: k)
        }
    }

    /// The k-shot folder for `seed`. `devMultiple` is 1 for LM-BFF's `k-shot` mode and 10 for
    /// `k-shot-10x`. Labels short of rows give short splits, as LM-BFF's script does; call
    /// `check` first to refuse them.
    public static func split(_ source: KShotSource, k: Int, seed: UInt32, devMultiple: Int = 1) -> Split {
        precondition(k >= 1 && devMultiple >= 1, "K and the dev multiple are at least 1")
        var random = NumPyRandom(seed: seed)
        let order = random.permutation(source.rows.count)
        var labelOrder: [String] = []
        var groups: [String: [Int]] = [:]
        for index in order {
            let label = source.labels[index]
            if groups[label] == nil { labelOrder.append(label) }
            groups[label, default: []].append(index)
        }
        var train = source.header, dev = source.header
        var trainCounts: [(String, Int)] = [], devCounts: [(String, Int)] = []
        let devEnd = k * (devMultiple + 1)
        for label in labelOrder {
            let rows = groups[label]!
            let trainRows = rows.prefix(k)
            let devRows = rows.prefix(devEnd).dropFirst(k)
            for index in trainRows { train += source.rows[index] }
            for index in devRows { dev += source.rows[index] }
            trainCounts.append((label, trainRows.count))
            devCounts.append((label, devRows.count))
        }
        let ext = source.task.fileExtension
        let devName = source.task == .mnli ? "dev_matched.tsv" : "dev.\(ext)"
        var files: [(name: String, text: String)] = [("train.\(ext)", train), (devName, dev)]
        files += source.copiedFiles.map { ($0.name, $0.text) }
        return Split(folder: "\(k)-\(seed)", files: files, trainCounts: trainCounts, devCounts: devCounts)
    }
}
