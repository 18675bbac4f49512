/// A structural check of an LMDB 0.9 data file's committed B-trees, made on the raw bytes
/// before LMDB follows any pointer in them.
///
/// LMDB trusts its pages: a node offset, key size or overflow count that a damaged page
/// carries sends it outside the page, or outside the map (SIGSEGV), or into its assertions.
/// This walks every tree of one committed state (the free list, the main database and each
/// named database) from the meta page's roots, with every read bounds-checked, and reports the
/// first page that LMDB could not follow safely, or whose counts disagree with the meta's.
/// It reads page headers, node headers and the branch links; values are not read (except the
/// free list's page numbers and the named databases' records), so it costs a pass over the
/// node headers, not over the data.
///
/// Layout (LMDB 0.9, 64-bit, `mdb.c`): a page is a 16-byte header (page number UInt64, pad
/// UInt16, flags UInt16, lower/upper UInt16 — or, on an overflow page, its page count UInt32)
/// followed by `lower - 16` bytes of UInt16 node offsets from the page start. A node is lo,
/// hi, flags, key size (UInt16 each), then the key, then the data. On a branch page
/// lo | hi << 16 | flags << 32 is the child's page number; on a leaf page lo | hi << 16 is
/// the data size, and with `F_BIGDATA` the data is the page number of its overflow pages.
/// A tree record (`MDB_db`, 48 bytes): pad UInt32, flags UInt16, depth UInt16, branch, leaf
/// and overflow page counts, entries and root (UInt64 each). The meta (after the page header):
/// magic UInt32, version UInt32, address, map size, the free-list and main trees, last page
/// and transaction id (UInt64 each).
package enum LMDBPageCheck {
    static let headerSize = 16
    static let magic: UInt32 = 0xBEEF_C0DE
    static let noPage = UInt64.max

    // Page flags.
    static let branchPage: UInt16 = 0x01, leafPage: UInt16 = 0x02, overflowPage: UInt16 = 0x04
    static let metaPage: UInt16 = 0x08, leaf2Page: UInt16 = 0x20, subPage: UInt16 = 0x40
    static let kindMask = branchPage | leafPage | overflowPage | metaPage | leaf2Page | subPage
    // Node flags.
    static let bigData: UInt16 = 0x01, subData: UInt16 = 0x02, dupData: UInt16 = 0x04
    // Tree flags.
    static let dupSort: UInt16 = 0x04

    /// What the check found: per database, the first problem (absent when it is sound).
    package struct Report: Sendable, Equatable {
        /// Problems of the free list (`free list`), the main database (`main`) and the named
        /// databases by name.
        package var problems: [String: String] = [:]
        package var isSound: Bool { problems.isEmpty }
        /// The pages the trees reached, as a bitmap (bit `p % 64` of word `p / 64`).
        package var treePages: [UInt64] = []
        package func isTreePage(_ page: Int) -> Bool {
            page / 64 < treePages.count && treePages[page / 64] & (1 << UInt64(page % 64)) != 0
        }
    }

    /// One tree as a meta page or the main database records it.
    struct Tree {
        var name: String
        var flags: UInt16
        var depth: Int
        var branchPages, leafPages, overflowPages, entries, root: UInt64
    }

    /// A problem found at a page; `stop` ends the tree's walk.
    struct Damage: Error { var reason: String }

    /// Checks the file whose bytes (at least every committed page) are `file`, at the state
    /// of transaction `txnid` (the meta page recording it), or at the newest meta when `nil`.
    package static func check(_ file: UnsafeRawBufferPointer, txnid: UInt64? = nil) -> Report {
        var report = Report()
        let metas = [0, 1].compactMap { meta(file, index: $0) }
        let chosen = txnid.map { id in metas.first { $0.txnid == id } } ?? metas.max { $0.txnid < $1.txnid }
        guard let meta = chosen else {
            report.problems["main"] = "no meta page records " + (txnid.map { "transaction \($0)" } ?? "a valid state")
            return report
        }
        var walker = Walker(file: file, pageSize: meta.pageSize, lastPage: meta.lastPage)
        do {
            try walker.walk(meta.free) { data throws(Damage) in try checkFreeList(data, lastPage: meta.lastPage) }
        } catch {
            report.problems["free list"] = error.reason
        }
        var named: [Tree] = []
        do {
            try walker.walk(meta.main) { _ in } onSubDatabase: { tree in named.append(tree) }
        } catch {
            report.problems["main"] = error.reason
            return report
        }
        for tree in named {
            do { try walker.walk(tree) { _ in } } catch { report.problems[tree.name] = error.reason }
        }
        report.treePages = walker.seen
        return report
    }

    /// A meta page's state, when its magic number and version are right.
    struct Meta {
        var pageSize: Int
        var lastPage: UInt64
        var txnid: UInt64
        var free, main: Tree
    }

    static func meta(_ file: UnsafeRawBufferPointer, index: Int) -> Meta? {
        // The page size is in the free-list tree's pad of the first meta.
        guard file.count >= headerSize + 136 else { return nil }
        let pageSize = Int(file.loadUnaligned(fromByteOffset: headerSize + 24, as: UInt32.self))
        guard [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536].contains(pageSize) else { return nil }
        let base = index * pageSize + headerSize
        guard base + 136 <= file.count,
              file.loadUnaligned(fromByteOffset: base, as: UInt32.self) == magic,
              file.loadUnaligned(fromByteOffset: base + 4, as: UInt32.self) == 1 else { return nil }
        let lastPage = file.loadUnaligned(fromByteOffset: base + 120, as: UInt64.self)
        guard lastPage >= 1, lastPage < UInt64(file.count / pageSize) else { return nil }
        return Meta(pageSize: pageSize, lastPage: lastPage,
                    txnid: file.loadUnaligned(fromByteOffset: base + 128, as: UInt64.self),
                    free: tree(file, at: base + 24, name: "free list"), main: tree(file, at: base + 72, name: "main"))
    }

    static func tree(_ bytes: UnsafeRawBufferPointer, at offset: Int, name: String) -> Tree {
        func u64(_ at: Int) -> UInt64 { bytes.loadUnaligned(fromByteOffset: offset + at, as: UInt64.self) }
        return Tree(name: name, flags: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self),
                    depth: Int(bytes.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self)),
                    branchPages: u64(8), leafPages: u64(16), overflowPages: u64(24), entries: u64(32), root: u64(40))
    }

    /// A free-list value: a count, then that many page numbers, each a page of the file.
    static func checkFreeList(_ data: UnsafeRawBufferPointer, lastPage: UInt64) throws(Damage) {
        guard data.count >= 8, data.count % 8 == 0 else { throw Damage(reason: "a free-list entry has \(data.count) bytes") }
        let n = data.loadUnaligned(as: UInt64.self)
        guard n == UInt64(data.count / 8 - 1) else { throw Damage(reason: "a free-list entry counts \(n) pages in \(data.count) bytes") }
        for i in 1..<(data.count / 8) {
            let page = data.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)
            guard page >= 2, page <= lastPage else { throw Damage(reason: "the free list names page \(page), beyond the last page \(lastPage)") }
        }
    }

    /// Walks trees over one file, remembering the pages it has seen (no page is in two places).
    struct Walker {
        let file: UnsafeRawBufferPointer
        let pageSize: Int
        let lastPage: UInt64
        var seen: [UInt64]

        init(file: UnsafeRawBufferPointer, pageSize: Int, lastPage: UInt64) {
            self.file = file
            self.pageSize = pageSize
            self.lastPage = lastPage
            seen = Array(repeating: 0, count: Int(lastPage / 64) + 1)
        }

        mutating func claim(_ page: UInt64, in tree: Tree) throws(Damage) {
            guard page >= 2, page <= lastPage else {
                throw Damage(reason: "\(tree.name) links to page \(page), outside the file's pages 2...\(lastPage)")
            }
            let word = Int(page / 64), bit = UInt64(1) << (page % 64)
            guard seen[word] & bit == 0 else { throw Damage(reason: "page \(page) is linked twice (\(tree.name))") }
            seen[word] |= bit
        }

        func u16(_ at: Int) -> UInt16 { file.loadUnaligned(fromByteOffset: at, as: UInt16.self) }
        func u64(_ at: Int) -> UInt64 { file.loadUnaligned(fromByteOffset: at, as: UInt64.self) }

        /// Walks `tree`, calling `value` with every leaf value (inline or on its overflow pages)
        /// and `onSubDatabase` with each named database a leaf records.
        mutating func walk(_ tree: Tree, value: (UnsafeRawBufferPointer) throws(Damage) -> Void,
                           onSubDatabase: ((Tree) -> Void)? = nil) throws(Damage) {
            func damage(_ page: UInt64, _ what: String) -> Damage { Damage(reason: "page \(page) (\(tree.name)): \(what)") }
            if tree.root == noPage {
                guard tree.entries == 0, tree.depth == 0 else {
                    throw Damage(reason: "\(tree.name) has no root but records \(tree.entries) entries")
                }
                return
            }
            guard tree.depth >= 1, tree.depth <= 64 else { throw Damage(reason: "\(tree.name) records depth \(tree.depth)") }
            var branches: UInt64 = 0, leaves: UInt64 = 0, overflows: UInt64 = 0, entries: UInt64 = 0
            var stack: [(page: UInt64, level: Int)] = [(tree.root, 1)]
            while let (page, level) = stack.popLast() {
                try claim(page, in: tree)
                let base = Int(page) * pageSize
                guard u64(base) == page else { throw damage(page, "its header says page \(u64(base))") }
                let isLeaf = level == tree.depth
                let kind = u16(base + 10) & kindMask
                guard kind == (isLeaf ? leafPage : branchPage) else {
                    throw damage(page, "a \(isLeaf ? "leaf" : "branch") was expected at level \(level) of \(tree.depth), the flags say \(kind)")
                }
                let lower = Int(u16(base + 12)), upper = Int(u16(base + 14))
                guard lower >= headerSize + 2, lower <= upper, upper <= pageSize, (lower - headerSize) % 2 == 0 else {
                    throw damage(page, "its free-space bounds \(lower)...\(upper) do not fit a \(pageSize)-byte page")
                }
                if isLeaf { leaves += 1 } else { branches += 1 }
                for i in 0..<((lower - headerSize) / 2) {
                    let offset = Int(u16(base + headerSize + 2 * i))
                    guard offset >= upper, offset % 2 == 0, offset + 8 <= pageSize else {
                        throw damage(page, "node \(i) starts at byte \(offset), outside the page's nodes (\(upper)...\(pageSize))")
                    }
                    let node = base + offset
                    let lo = UInt64(u16(node)), hi = UInt64(u16(node + 2)), flags = u16(node + 4)
                    let keyEnd = offset + 8 + Int(u16(node + 6))
                    guard keyEnd <= pageSize else { throw damage(page, "node \(i)'s key runs past the page") }
                    if !isLeaf {
                        stack.append((lo | hi << 16 | UInt64(flags) << 32, level + 1))
                        continue
                    }
                    entries += 1
                    let size = Int(lo | hi << 16)
                    let data: UnsafeRawBufferPointer
                    if flags & bigData != 0 {
                        guard keyEnd + 8 <= pageSize else { throw damage(page, "node \(i)'s overflow link runs past the page") }
                        let first = u64(base + keyEnd)
                        let count = try overflow(first, holding: size, in: tree)
                        overflows += count
                        data = UnsafeRawBufferPointer(rebasing: file[(Int(first) * pageSize + headerSize)...].prefix(size))
                    } else {
                        guard keyEnd + size <= pageSize else { throw damage(page, "node \(i)'s \(size)-byte value runs past the page") }
                        data = UnsafeRawBufferPointer(rebasing: file[(base + keyEnd)..<(base + keyEnd + size)])
                    }
                    if flags & dupData != 0 && tree.flags & dupSort == 0 {
                        throw damage(page, "node \(i) is marked as duplicates in a database without them")
                    }
                    if flags & subData != 0 {
                        guard let onSubDatabase, size == 48 else { throw damage(page, "node \(i) is marked as a database record") }
                        let key = UnsafeRawBufferPointer(rebasing: file[(node + 8)..<(base + keyEnd)])
                        onSubDatabase(LMDBPageCheck.tree(data, at: 0, name: "database " + String(decoding: key, as: UTF8.self)))
                    } else {
                        try value(data)
                    }
                }
            }
            guard branches == tree.branchPages, leaves == tree.leafPages, overflows == tree.overflowPages, entries == tree.entries else {
                throw Damage(reason: "\(tree.name) records \(tree.entries) entries on \(tree.branchPages)+\(tree.leafPages)+\(tree.overflowPages) "
                    + "branch+leaf+overflow pages, its pages hold \(entries) on \(branches)+\(leaves)+\(overflows)")
            }
        }

        /// Checks the overflow pages from `first` holding a `size`-byte value; returns their count.
        mutating func overflow(_ first: UInt64, holding size: Int, in tree: Tree) throws(Damage) -> UInt64 {
            try claim(first, in: tree)
            let base = Int(first) * pageSize
            guard u64(base) == first, u16(base + 10) & kindMask == overflowPage else {
                throw Damage(reason: "page \(first) (\(tree.name)) should be an overflow page")
            }
            let count = UInt64(file.loadUnaligned(fromByteOffset: base + 12, as: UInt32.self))
            guard count >= 1, first + count - 1 <= lastPage, Int(count) * pageSize - headerSize >= size else {
                throw Damage(reason: "page \(first) (\(tree.name)): \(count) overflow pages cannot hold a \(size)-byte value within the file")
            }
            for page in (first + 1)..<(first + count) { try claim(page, in: tree) }
            return count
        }
    }
}
