import ExemplarStore
import Foundation

/// `exemplar verify`'s use case: every stored value of an index read and checked.
public enum IndexVerification {
    /// Checks `store` (the index in `folder`, built with `manifest`): the store's own checks
    /// (`IndexStore.verify`: pages, ids, decoding, vector sizes and values), then the counts per
    /// label and split against the manifest (with online deletions applied), then each vector
    /// against the cached embedding of its record's text: the two copies are written together
    /// and must be equal bit for bit, so damage to either shows, even where the damaged bytes
    /// still read as plausible floats. A built record whose text has no cached embedding has a
    /// damaged text (every built text is cached).
    public static func run(folder: URL, store: IndexStore, manifest: Manifest) throws(IndexError) -> IndexStore.Verification {
        var result: IndexStore.Verification
        do { result = try store.verify(dimension: manifest.model.dimension) } catch { throw .store(error) }
        guard result.problems.isEmpty else { return result }
        // One read of the records and raw vectors serves every check below.
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
        if let lexical = index.lexical, lexical != IndexBuilder.postings(index.records) {
            result.problems.append("the BM25 postings differ from the records' words; run 'exemplar build \(folder.relativePath) --rebuild'")
        }
        let disputed: (differ: [UInt32], uncached: [UInt32])
        do { disputed = try disputedVectors(index.records, index.vectors, store: store, manifest: manifest) } catch { throw .store(error) }
        for id in disputed.differ.prefix(20) {
            result.problems.append("vector \(id) differs from the cached embedding of its text (one of the two copies is damaged)")
        }
        if disputed.differ.count > 20 { result.problems.append("\(disputed.differ.count - 20) more vectors differ from their cached embeddings") }
        for id in disputed.uncached.prefix(20) {
            result.problems.append("record \(id)'s text has no cached embedding, as every built record's has (the record's text is damaged)")
        }
        if disputed.uncached.count > 20 { result.problems.append("\(disputed.uncached.count - 20) more records have no cached embedding") }
        return result
    }

    /// Ids whose stored vector differs from the cached embedding of their text, and ids of
    /// built records (not online additions, line 0, which older servers did not cache) whose text has none.
    static func disputedVectors(_ records: [IndexRecord], _ vectors: [Float], store: IndexStore,
                                manifest: Manifest) throws(StoreError) -> (differ: [UInt32], uncached: [UInt32]) {
        let dim = manifest.model.dimension
        let keys = records.map { IndexStore.cacheKey(modelHash: manifest.model.cacheHash, text: IndexBuilder.embeddingText($0)) }
        let cached = try store.cachedVectors(keys, dimension: dim)
        var differ: [UInt32] = [], uncached: [UInt32] = []
        for i in records.indices {
            guard let copy = cached[i] else {
                if records[i].line != 0 { uncached.append(records[i].id) }
                continue
            }
            if !copy.elementsEqual(vectors[(i * dim)..<((i + 1) * dim)], by: { $0.bitPattern == $1.bitPattern }) { differ.append(records[i].id) }
        }
        return (differ, uncached)
    }

    /// Cache keys of `store` whose cached vector disagrees with a stored vector of the same
    /// text (which copy is damaged cannot be told, so a rebuild embeds those texts again);
    /// empty when the records or vectors cannot be read.
    static func disputedCacheKeys(store: IndexStore) -> Set<[UInt8]> {
        guard let manifest = try? store.manifest(), let (records, vectors) = try? store.load(dimension: manifest.model.dimension),
              let ids = try? disputedVectors(records, vectors, store: store, manifest: manifest).differ else { return [] }
        return Set(ids.map { IndexStore.cacheKey(modelHash: manifest.model.cacheHash, text: IndexBuilder.embeddingText(records[Int($0)])) })
    }
}
