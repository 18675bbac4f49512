import ExemplarStore
import Foundation

/// `exemplar verify`'s use case: every stored value of an index read and checked.
public enum IndexVerification {
    /// Checks `store` (the index in `folder`, built with `manifest`): the store's own checks
    /// (`IndexStore.verify`: pages, ids, decoding, the vector file's checksums, vector sizes and
    /// values), then the counts per label and split against the manifest (with online deletions
    /// applied), the BM25 postings against the records' words, and each built record's text
    /// against the cache key its vector was stored under: a record whose text changed no longer
    /// matches the text its vector was made from.
    public static func run(folder: URL, store: IndexStore, manifest: Manifest) throws(IndexError) -> IndexStore.Verification {
        var result: IndexStore.Verification
        do { result = try store.verify(dimension: manifest.model.dimension) } catch { throw .store(error) }
        guard result.problems.isEmpty else { return result }
        let index = try LoadedIndex.read(folder, store: store)
        let live = index.records.filter { !index.deleted.contains($0.id) }
        var byLabel: [String: Int] = [:], bySplit: [String: Int] = [:]
        for r in live { byLabel[r.label, default: 0] += 1; bySplit[r.split, default: 0] += 1 }
        if live.count != manifest.total { result.problems.append("the manifest counts \(manifest.total) examples, the index holds \(live.count)") }
        if byLabel != manifest.countsByLabel.filter({ $0.value > 0 }) { result.problems.append("counts by label differ from the manifest's") }
        if bySplit != manifest.countsBySplit.filter({ $0.value > 0 }) { result.problems.append("counts by split differ from the manifest's") }
        if let bad = index.deleted.first(where: { Int($0) >= index.records.count }) {
            result.problems.append("deleted id \(bad) is not a record")
        }
        // BM25 postings: readable, and what the records' words give.
        do { result.problems += try store.verifyLexical(records: index.records.count, expected: manifest.lexical?.documents) } catch { throw .store(error) }
        if let lexical = try index.lexical.value(), lexical != IndexBuilder.postings(index.records) {
            result.problems.append("the BM25 postings differ from the records' words; run 'exemplar build \(folder.relativePath) --rebuild'")
        }
        if let file = index.base {
            let changed = changedTexts(index.records, file: file, manifest: manifest)
            for id in changed.prefix(20) {
                result.problems.append("record \(id)'s text is not the text its vector was made from (the record's text is damaged)")
            }
            if changed.count > 20 { result.problems.append("\(changed.count - 20) more records' texts differ from their vectors' texts") }
        }
        return result
    }

    /// Built records whose text's cache key is not the one the vector file stores for their row.
    static func changedTexts(_ records: RecordList, file: VectorFile, manifest: Manifest) -> [UInt32] {
        var keyOfRow = [[UInt8]](repeating: [], count: file.rows)
        file.forEachKey { key, row in if row < file.rows { keyOfRow[row] = key } }
        var changed: [UInt32] = []
        for record in records.prefix(file.rows) {
            guard let row = file.row(ofID: Int(record.id)) else { changed.append(record.id); continue }
            let key = IndexStore.cacheKey(modelHash: manifest.model.cacheHash, text: IndexBuilder.embeddingText(record))
            if keyOfRow[row] != key { changed.append(record.id) }
        }
        return changed
    }
}
