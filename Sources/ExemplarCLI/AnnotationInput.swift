import ExemplarData
import ExemplarEncoder
import ExemplarIndex
import ExemplarStore
import Foundation

/// The pool `exemplar annotate` chooses from: one split's records, their vectors, and the bytes
/// of the data file they were read from (to write chosen rows in its own layout).
struct AnnotationInput {
    /// How messages name the pool's source.
    let name: String
    let records: [IndexRecord]
    let vectors: [Float]
    let dimension: Int
    /// The data file of the split, as given, and its bytes.
    let file: String
    let fileBytes: [UInt8]
    /// Whether the records are an index's (their ids are record ids).
    let fromIndex: Bool

    /// An index folder (its stored vectors), or `--data` with `--task` or `--format` (embedded).
    static func load(_ args: ParsedArguments, split: String, command: String) throws -> AnnotationInput {
        if args.string(.data) == nil {
            guard args.positionals.count == 1 else {
                throw UsageError(command: command, message: "give one index folder, or --data PATH with --task or --format")
            }
            let folder = URL(fileURLWithPath: args.positionals[0], isDirectory: true)
            let index = try LoadedIndex.open(folder)
            let definition = try IndexDefinition.load(folder: folder)
            let records = index.records.filter { $0.split == split && $0.line >= 1 }
            guard !records.isEmpty else {
                throw UsageError(command: command, message: "--split \(split): index \(folder.relativePath) has no examples in that split; its splits are \(index.manifest.countsBySplit.keys.sorted().joined(separator: ", "))")
            }
            var vectors: [Float] = []
            vectors.reserveCapacity(records.count * index.exact.dimension)
            for r in records { vectors += index.exact.vector(at: Int(r.id)) }
            let url = try splitFile(definition, base: folder, split: split, command: command)
            return AnnotationInput(name: "index \(folder.relativePath)", records: records, vectors: vectors, dimension: index.exact.dimension,
                                   file: url.relativePath, fileBytes: try bytes(url), fromIndex: true)
        }
        guard args.positionals.isEmpty else {
            throw UsageError(command: command, message: "give an index folder or --data PATH, not both")
        }
        let data = args.string(.data)!
        let task = try args.string(.task).map { (name) throws(UsageError) in try Common.task(name, command: command) }
        let format = try args.choice(.format, as: IndexDefinition.Format.self)
        guard task != nil || format != nil || !data.hasSuffix("/") else {
            throw UsageError(command: command, message: "--data \(data) needs --task (an LM-BFF folder or file) or --format")
        }
        let definition = IndexDefinition(data: data, task: task, format: format, textColumn: args.string(.textColumn) ?? "text",
                                         textBColumn: args.string(.textBColumn), labelColumn: args.string(.labelColumn) ?? "label",
                                         split: split)
        let base = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        let source = try IndexSource.load(definition, base: base)
        let records = source.records.filter { $0.split == split }
        guard !records.isEmpty else {
            throw UsageError(command: command, message: "--split \(split): \(data) has no examples in that split")
        }
        let url = try splitFile(definition, base: base, split: split, command: command)
        let encoder = try Common.loadEncoder(args)
        let cacheFolder = URL(fileURLWithPath: args.string(.cache) ?? ExportLMBFFCommand.defaultCache(), isDirectory: true)
        let store: IndexStore
        do { store = try IndexStore(folder: cacheFolder) } catch { throw IndexError.store(error) }
        var embedder = CachedEmbedder(encoder: encoder, modelHash: try encoder.identity().cacheHash)
        embedder.batchSize = try args.int(.batchSize, range: 1...65536) ?? 32
        embedder.threads = try Common.threads(args, command: command)
        let texts = records.map { Example.embeddingText($0.textA, $0.textB) }
        let progress = ProgressLine(label: "embedding", total: texts.count, minimumTotal: 1)
        let vectors: [Float]
        do {
            vectors = try embedder.embed(texts, cache: store) { done, total in progress.update(done, total: total) }.vectors
        } catch {
            progress.finish()
            throw error
        }
        progress.finish()
        return AnnotationInput(name: data, records: records, vectors: vectors, dimension: encoder.dimension,
                               file: url.relativePath, fileBytes: try bytes(url), fromIndex: false)
    }

    /// The file a split was read from: the split's file of an LM-BFF folder, or the data file.
    static func splitFile(_ definition: IndexDefinition, base: URL, split: String, command: String) throws -> URL {
        let url = URL(fileURLWithPath: IndexSource.resolvedPath(definition.data, base: base))
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue, let task = definition.task else {
            return url
        }
        guard let file = try SplitFolder.splits(in: url, task: task).first(where: { $0.name == split }) else {
            throw UsageError(command: command, message: "--split \(split): no such split file in \(url.relativePath)")
        }
        return file.url
    }

    static func bytes(_ url: URL) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DataError.cannotRead(file: url.relativePath, reason: "cannot read the file")
        }
        return [UInt8](data)
    }
}
