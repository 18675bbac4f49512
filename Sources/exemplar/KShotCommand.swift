import ExemplarData
import ExemplarIO
import ExemplarJSON
import Foundation

/// `exemplar kshot`: LM-BFF's few-shot splits, byte-identical to `tools/generate_k_shot_data.py`.
enum KShotCommand {
    static let spec = CommandSpec(
        name: "kshot",
        usage: "kshot --task TASK[,TASK...] [--data DIR] [--k K] [--seeds S,S,...] [--output DIR] [options]",
        abstract: "Make LM-BFF's K-shot train/dev/test splits.",
        discussion: """
            For each task and seed, writes OUTPUT/TASK/K-SEED/{train,dev,test}.{tsv,csv} exactly as
            LM-BFF's tools/generate_k_shot_data.py does: numpy's legacy np.random.seed(SEED) and
            shuffle of the training rows, then per label (in first-seen order) the first K rows as
            train and the next K as dev; the original dev file (GLUE tasks) or test file (CSV tasks)
            becomes test. MNLI writes dev_matched and test_matched/test_mismatched. Files are
            written whole or not at all. One summary line per task and seed goes to stderr.

            Tasks: \(LMBFFTask.allCases.map { $0.name }.joined(separator: ", ")).

            EXAMPLES:
              exemplar kshot --data data/original --task SST-2,sst-5 --k 16 --seeds 13,21,42,87,100 --output data/k-shot
              exemplar kshot --task RTE --seeds 42 --dev-multiple 10 --output data/k-shot-10x --json
            """,
        options: [
            .init(name: "--task", value: "TASK[,TASK...]", help: "LM-BFF task names (case-insensitive), comma-separated. Required."),
            .init(name: "--data", value: "DIR", help: "The original data: one folder per task (default data/original)."),
            .init(name: "--k", value: "K", help: "Training rows per label (default 16)."),
            .init(name: "--seeds", value: "S,S,...", help: "Seeds, 0...4294967295 (default 13,21,42,87,100)."),
            .init(name: "--output", value: "DIR", help: "Where TASK/K-SEED/ folders go (default data/k-shot)."),
            .init(name: "--dev-multiple", value: "N", help: "Dev rows per label are N × K (default 1; LM-BFF's k-shot-10x mode is 10)."),
            .init(name: "--allow-short", value: nil, help: "Write short train/dev splits when a label has too few rows (LM-BFF's behaviour) instead of failing."),
            .init(name: "--json", value: nil, help: "Also print a JSON summary (one object per task and seed) on stdout."),
        ])

    /// One written folder, for `--json`.
    struct Summary {
        struct LabelCount {
            let label: String
            let count: Int
        }
        let task: String
        let seed: UInt32
        let k: Int
        let folder: String
        let files: [String]
        let train: [LabelCount]
        let dev: [LabelCount]

        var json: JSONValue {
            func counts(_ counts: [LabelCount]) -> JSONValue {
                .array(counts.map { .object([("label", .string($0.label)), ("count", .int($0.count))]) })
            }
            return .object([("task", .string(task)), ("seed", .int(Int(seed))), ("k", .int(k)), ("folder", .string(folder)),
                            ("files", .strings(files)), ("train", counts(train)), ("dev", counts(dev))])
        }
    }

    /// Creating or writing an output failed (exit code 1).
    struct WriteFailure: Error, CustomStringConvertible {
        let description: String
    }

    static func run(_ args: ParsedArguments) throws {
        if let extra = args.positionals.first {
            throw UsageError(command: spec.name, message: "unexpected argument \(extra)")
        }
        guard let taskList = args.string("--task") else {
            throw UsageError(command: spec.name, message: "--task is required (for example --task SST-2,sst-5)")
        }
        let tasks = try taskList.split(separator: ",").map { (name) throws(UsageError) in try Common.task(String(name), command: spec.name) }
        let k = try args.int("--k", command: spec.name, range: 1...1_000_000) ?? 16
        let devMultiple = try args.int("--dev-multiple", command: spec.name, range: 1...1000) ?? 1
        let seeds = try parseSeeds(args.string("--seeds") ?? "13,21,42,87,100")
        let data = URL(fileURLWithPath: args.string("--data") ?? "data/original")
        let output = URL(fileURLWithPath: args.string("--output") ?? "data/k-shot")
        let allowShort = args.flags.contains("--allow-short")

        let start = Date()
        // Read and check every task before writing anything.
        var sources: [KShotSource] = []
        for task in tasks {
            let source = try KShotSource(task: task, folder: data.appendingPathComponent(task.name))
            if !allowShort { try KShotSampler.check(source, k: k, devMultiple: devMultiple) }
            sources.append(source)
        }
        var summaries: [Summary] = []
        var fileCount = 0
        for source in sources {
            for seed in seeds {
                let split = KShotSampler.split(source, k: k, seed: seed, devMultiple: devMultiple)
                let folder = output.appendingPathComponent(source.task.name).appendingPathComponent(split.folder)
                try write(split, to: folder)
                fileCount += split.files.count
                let counts = { (counts: [(label: String, count: Int)]) in counts.map { "\($0.label):\($0.count)" }.joined(separator: " ") }
                FileHandle.standardError.write(Data(("\(source.task.name) \(split.folder): train \(counts(split.trainCounts)), "
                    + "dev \(counts(split.devCounts)) → \(folder.relativePath)\n").utf8))
                summaries.append(Summary(
                    task: source.task.name, seed: seed, k: k, folder: folder.relativePath, files: split.files.map { $0.name },
                    train: split.trainCounts.map { .init(label: $0.label, count: $0.count) },
                    dev: split.devCounts.map { .init(label: $0.label, count: $0.count) }))
            }
        }
        let seconds = Date().timeIntervalSince(start)
        FileHandle.standardError.write(Data("wrote \(fileCount) files in \(String(format: "%.2f", seconds)) s\n".utf8))
        if args.flags.contains("--json") {
            FileHandle.standardOutput.write(Data((JSONValue.array(summaries.map(\.json)).prettyText + "\n").utf8))
        }
    }

    /// "13,21,42" as seeds.
    static func parseSeeds(_ text: String) throws(UsageError) -> [UInt32] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        var seeds: [UInt32] = []
        for part in parts {
            guard let seed = UInt32(part.trimmingCharacters(in: .whitespaces)) else {
                throw UsageError(command: spec.name, message: "--seeds must be comma-separated integers in 0...4294967295, got \"\(text)\"")
            }
            seeds.append(seed)
        }
        return seeds
    }

    /// Writes each file of `split` into `folder` (created if needed), each one atomically.
    static func write(_ split: KShotSampler.Split, to folder: URL) throws(WriteFailure) {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw WriteFailure(description: "\(folder.relativePath): cannot create the folder (\(error.localizedDescription)); check --output")
        }
        for (name, text) in split.files {
            let path = folder.appendingPathComponent(name).path
            do throws(DataError) {
                var file = try OutputFile(path: path)
                do throws(DataError) {
                    try file.write(text)
                    try file.commit()
                } catch {
                    file.discard()
                    throw error
                }
            } catch {
                throw WriteFailure(description: error.description)
            }
        }
    }
}
