import ExemplarCore
import CLMDB
import Foundation

/// Typed Swift over LMDB's C API. No other file calls `mdb_*`.
///
/// Threading (LMDB's rules, written here as the C library asks): one `MDB_env` may be shared
/// by all threads of a process. Write transactions are serialised by LMDB itself (a second
/// writer blocks). The environment is opened with `MDB_NOTLS`, so a read transaction is not
/// tied to the thread that began it, but one transaction must never be used by two threads at
/// once; `read` and `write` run their body synchronously on the calling thread, so it isn't.
/// Pointers handed to a body are valid only until the transaction ends.
package final class LMDBEnvironment: @unchecked Sendable {
    package let path: String
    private let env: OpaquePointer
    /// Named databases, opened once in a committed write transaction so their handles live in
    /// the shared environment (a handle opened in an aborted transaction would be closed).
    private let databases: [String: MDB_dbi]

    /// Whether the environment was opened read-only (`write` then refuses).
    package let readOnly: Bool
    /// Databases the page check found damaged, with the problem: reading them is refused.
    package let damaged: [String: String]

    /// Opens (creating if needed) the environment in folder `path` (`data.mdb`, `lock.mdb`).
    /// With `readOnly`, nothing is created or written (`MDB_RDONLY`; on read-only media LMDB
    /// runs without its lock file), and the databases must exist.
    /// `optional` databases may be missing from a store opened read-only (written by an older
    /// version); `has(_:)` tells whether they are there.
    ///
    /// Before any database is opened, the committed B-trees are checked page by page
    /// (`LMDBPageCheck`), so that damage LMDB would follow into a crash is an error instead.
    /// Damage to a named database throws, unless `allowDamaged` (then reading that database
    /// throws, and writing anything throws when the free list is damaged); damage to the main
    /// database always throws.
    package init(path: String, databases names: [String], optional: Set<String> = [], initialMapSize: Int = 1 << 40,
                 readOnly: Bool = false, allowDamaged: Bool = false) throws(StoreError) {
        self.path = path
        self.readOnly = readOnly
        var env: OpaquePointer?
        try Self.check(mdb_env_create(&env), "create environment", path: path)
        guard let env else { throw StoreError.lmdb(path: path, operation: "create environment", message: "no handle") }
        self.env = env
        mdb_env_set_assert(env, lmdbAssertionFailed)
        do {
            try Self.check(mdb_env_set_maxdbs(env, MDB_dbi(names.count)), "set max databases", path: path)
            // The map size must be at least the file's size; start from whichever is larger.
            let existing = (try? FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as? Int) ?? 0
            try Self.check(mdb_env_set_mapsize(env, max(Self.addressSpaceFor(initialMapSize), existing * 2)), "set map size", path: path)
            if !readOnly { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
            try Self.checkBeforeMapping(path + "/data.mdb")
            try Self.check(mdb_env_open(env, path, UInt32(MDB_NOTLS) | (readOnly ? UInt32(MDB_RDONLY) : 0), 0o644), "open", path: path)
            var damaged = try Self.checkPages(env, path: path, recorded: Self.pageChecks).problems
            if let main = damaged["main"] { throw StoreError.corrupt(path: path, reason: "data.mdb " + main) }
            if !allowDamaged, let (name, problem) = damaged.min(by: { $0.key < $1.key }) {
                throw StoreError.corrupt(path: path, reason: "data.mdb \(name): " + problem)
            }
            damaged = damaged.filter { $0.key == "free list" || names.contains($0.key) }
            self.damaged = damaged
            var txn: OpaquePointer?
            try Self.check(mdb_txn_begin(env, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn),
                           readOnly ? "begin read transaction" : "begin write transaction", path: path)
            var handles: [String: MDB_dbi] = [:]
            for name in names {
                var dbi: MDB_dbi = 0
                let rc = mdb_dbi_open(txn, name, readOnly ? 0 : UInt32(MDB_CREATE), &dbi)
                if rc == MDB_NOTFOUND && readOnly && optional.contains(name) { continue }
                if rc != 0 { mdb_txn_abort(txn) }
                try Self.check(rc, "open database \(name)", path: path)
                handles[name] = dbi
            }
            try Self.check(mdb_txn_commit(txn), "commit", path: path)
            self.databases = handles
        } catch let error as StoreError {
            mdb_env_close(env)
            throw error
        } catch {
            mdb_env_close(env)
            throw StoreError.lmdb(path: path, operation: "create folder", message: "\(error.localizedDescription)")
        }
    }

    deinit { mdb_env_close(env) }

    /// Whether database `name` was opened (an optional one may be absent).
    package func has(_ name: String) -> Bool { databases[name] != nil }

    /// Runs `LMDBPageCheck` over the mapped file at the state a read transaction pins (so a
    /// writer in another process cannot reuse its pages during the check). Every page up to the
    /// last committed one is inside the file: `checkBeforeMapping` made sure of that.
    ///
    /// With `recorded`, a check already passed by this state of this file (same transaction id,
    /// and the file's device, inode, size and times unchanged since) is not walked again: a
    /// 10-million-record index opens without reading its gigabytes. `verify` always walks.
    private static func checkPages(_ env: OpaquePointer, path: String, recorded: FileStampCache?) throws(StoreError) -> LMDBPageCheck.Report {
        var txn: OpaquePointer?
        try check(mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn), "begin read transaction", path: path)
        defer { mdb_txn_abort(txn) }
        let file = path + "/data.mdb", txnid = "txn\(mdb_txn_id(txn))"
        let stamp = FileStampCache.stamp(file)
        if let recorded, let stamp, recorded.value(for: file, stamp: stamp) == txnid { return LMDBPageCheck.Report() }
        var info = MDB_envinfo(), stat = MDB_stat()
        try check(mdb_env_info(env, &info), "read environment", path: path)
        try check(mdb_env_stat(env, &stat), "read environment", path: path)
        // LMDB's own map address is not published (only with MDB_FIXEDMAP): map the file again, read-only.
        var fd: Int32 = -1
        try check(mdb_env_get_fd(env, &fd), "read environment", path: path)
        let length = (info.me_last_pgno + 1) * Int(stat.ms_psize)
        guard let map = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED else {
            throw StoreError.lmdb(path: path, operation: "map data.mdb for its page check", message: String(cString: strerror(errno)))
        }
        defer { munmap(map, length) }
        var report = LMDBPageCheck.check(UnsafeRawBufferPointer(start: map, count: length), txnid: UInt64(mdb_txn_id(txn)))
        // Named databases are reported as "database NAME"; key them by name.
        report.problems = Dictionary(uniqueKeysWithValues: report.problems.map { key, value in
            (key.hasPrefix("database ") ? String(key.dropFirst(9)) : key, value)
        })
        if let recorded, let stamp, report.problems.isEmpty { recorded.record(txnid, for: file, stamp: stamp) }
        return report
    }

    /// Where clean page checks are remembered (`FileStampCache`, kind `lmdb-page-check`).
    static let pageChecks: FileStampCache? = FileStampCache(kind: "lmdb-page-check")

    /// Walks every page of the committed state again, whatever was recorded: the problems
    /// by database (`verify`'s first step).
    package func checkAllPages() throws(StoreError) -> [String: String] {
        try Self.checkPages(env, path: path, recorded: nil).problems
    }

    /// Checks `data.mdb` against its own meta pages before LMDB maps it: a file shorter than
    /// its last committed page would be a SIGBUS on the first read of that page, not an error.
    ///
    /// Layout (LMDB 0.9, 64-bit): each of the first two pages is a 16-byte page header, then
    /// `MDB_meta`: magic 0xBEEFC0DE (UInt32) at 0, the page size in the free-list db's `md_pad`
    /// at 24, `mm_last_pg` at 120 and `mm_txnid` at 128. The meta with the larger txnid is current.
    static func checkBeforeMapping(_ file: String) throws(StoreError) {
        guard let handle = FileHandle(forReadingAtPath: file) else { return }  // absent: LMDB creates it
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()).map(Int.init) ?? 0
        if size == 0 { return }
        func damaged(_ reason: String) -> StoreError {
            .corrupt(path: (file as NSString).deletingLastPathComponent, reason: "data.mdb \(reason)")
        }
        func meta(at offset: Int) -> (pageSize: Int, lastPage: Int, txnid: UInt64)? {
            guard (try? handle.seek(toOffset: UInt64(offset))) != nil,
                  let bytes = try? handle.read(upToCount: 16 + 136), bytes.count == 152 else { return nil }
            func u32(_ at: Int) -> UInt32 { bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 16 + at, as: UInt32.self) } }
            func u64(_ at: Int) -> UInt64 { bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 16 + at, as: UInt64.self) } }
            guard u32(0) == 0xBEEF_C0DE else { return nil }
            return (Int(u32(24)), Int(clamping: u64(120)), u64(128))
        }
        guard let first = meta(at: 0) else { throw damaged("has no valid LMDB meta page at its start (\(size) bytes)") }
        guard [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536].contains(first.pageSize) else {
            throw damaged("records an impossible page size (\(first.pageSize))")
        }
        guard size >= 2 * first.pageSize else { throw damaged("is \(size) bytes, shorter than its two meta pages: it is truncated") }
        let second = meta(at: first.pageSize)
        let current = second.map { $0.txnid > first.txnid ? $0 : first } ?? first
        let needed = (current.lastPage + 1) * first.pageSize
        guard size >= needed else {
            throw damaged("is \(size) bytes but its last committed page ends at byte \(needed): it is truncated")
        }
    }

    private func check(_ rc: Int32, _ operation: String) throws(StoreError) {
        try Self.check(rc, operation, path: path)
    }

    private static func check(_ rc: Int32, _ operation: String, path: String) throws(StoreError) {
        guard rc == 0 else {
            throw StoreError.lmdb(path: path, operation: operation, message: message(rc))
        }
    }

    /// LMDB's message for `rc`, with what to do for the system errors a write meets.
    fileprivate static func message(_ rc: Int32) -> String {
        StoreError.systemMessage(rc, text: String(cString: mdb_strerror(rc)))
    }

    /// A read transaction left open (`LMDBSnapshot`): the store as it is now, whatever is
    /// committed later.
    package func snapshot() throws(StoreError) -> LMDBSnapshot {
        var txn: OpaquePointer?
        try check(mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn), "begin read transaction")
        return LMDBSnapshot(environment: self, txn: txn!)
    }

    /// Runs `body` in a read-only transaction.
    package func read<T>(_ body: (LMDBTransaction) throws(StoreError) -> T) throws(StoreError) -> T {
        var txn: OpaquePointer?
        try check(mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn), "begin read transaction")
        defer { mdb_txn_abort(txn) }
        return try body(LMDBTransaction(txn: txn!, environment: self))
    }

    /// Runs `body` in a write transaction and commits it; aborts if `body` throws.
    ///
    /// When the map fills, the transaction is aborted, the map doubled and `body` run again
    /// from the start, so `body` must only write through the transaction.
    package func write<T>(_ body: (LMDBTransaction) throws(StoreError) -> T) throws(StoreError) -> T {
        if readOnly { throw .readOnly(path: path) }
        if let problem = damaged["free list"] { throw .corrupt(path: path, reason: "data.mdb free list: " + problem) }
        while true {
            var txn: OpaquePointer?
            try check(mdb_txn_begin(env, nil, 0, &txn), "begin write transaction")
            // Under the writer lock: the file this environment has open must still be the one
            // at its path (a compaction swaps the folder; writing the old file would be lost).
            guard isStillAtPath() else {
                mdb_txn_abort(txn)
                throw .replaced(path: path)
            }
            let result: T
            do {
                result = try body(LMDBTransaction(txn: txn!, environment: self))
            } catch StoreError.mapFull {
                mdb_txn_abort(txn)
                try grow()
                continue
            } catch {
                mdb_txn_abort(txn)
                throw error
            }
            // mdb_txn_commit frees the transaction whether it succeeds or not: never abort it
            // after (that was a double free on a full disk). A failed commit leaves the previous state.
            let rc = mdb_txn_commit(txn)
            if rc == MDB_MAP_FULL {
                try grow()
                continue
            }
            guard rc == 0 else { throw StoreError.lmdb(path: path, operation: "commit", message: commitFailure(rc)) }
            return result
        }
    }

    /// Whether `data.mdb` at the environment's path is the file it has open (same device and inode).
    package func isStillAtPath() -> Bool {
        var fd: Int32 = -1
        guard mdb_env_get_fd(env, &fd) == 0 else { return false }
        var open = stat(), named = stat()
        guard fstat(fd, &open) == 0, stat(path + "/data.mdb", &named) == 0 else { return false }
        return open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }

    /// Process ids other than this one with a live reader slot in the lock file (stale slots of
    /// dead processes are cleared first). LMDB lists readers, not writers: a writer between
    /// transactions does not show, so callers that need the store alone also take the writer lock.
    package func otherProcesses() -> [Int32] {
        var dead: Int32 = 0
        _ = mdb_reader_check(env, &dead)
        final class Lines { var text = "" }
        let lines = Lines()
        _ = withExtendedLifetime(lines) {
            mdb_reader_list(env, { message, context in
                guard let message, let context else { return 0 }
                Unmanaged<Lines>.fromOpaque(context).takeUnretainedValue().text += String(cString: message)
                return 0
            }, Unmanaged.passUnretained(lines).toOpaque())
        }
        // "    pid     thread     txnid" then one line per slot; "(no active readers)" when none.
        let me = getpid()
        let pids = lines.text.split(separator: "\n").compactMap { line in line.split(separator: " ").first.flatMap { Int32($0) } }
        return Array(Set(pids.filter { $0 != me })).sorted()
    }

    /// Writes a compacted copy of the committed state (`mdb_env_copy2` with `MDB_CP_COMPACT`:
    /// live pages only, renumbered, no free list) as `data.mdb` in the existing empty folder
    /// `folder`, and syncs it, while holding the writer lock so that nothing commits to this
    /// environment during the copy and until `afterCopy` returns (the caller swaps the files
    /// there). A writer that waited meanwhile finds the file replaced (`isStillAtPath`).
    package func compactCopy(to folder: String, afterCopy: () throws(StoreError) -> Void) throws(StoreError) {
        if readOnly { throw .readOnly(path: path) }
        var txn: OpaquePointer?
        try check(mdb_txn_begin(env, nil, 0, &txn), "begin write transaction")
        defer { mdb_txn_abort(txn) }
        guard isStillAtPath() else { throw .replaced(path: path) }
        try check(mdb_env_copy2(env, folder, UInt32(MDB_CP_COMPACT)), "write a compacted copy to \(folder)")
        let fd = open(folder + "/data.mdb", O_RDONLY)
        guard fd >= 0, fsync(fd) == 0 else {
            if fd >= 0 { close(fd) }
            throw .io(path: folder, operation: "sync the compacted copy", message: StoreError.errnoMessage())
        }
        close(fd)
        try afterCopy()
    }

    /// Why a commit failed, in words: LMDB reports a short write (a full disk, or the file
    /// size limit reached mid-write) as a bare I/O error, so look at both.
    private func commitFailure(_ rc: Int32) -> String {
        guard rc == EIO || rc == ENOSPC || rc == EFBIG else { return Self.message(rc) }
        let file = path + "/data.mdb"
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max,
           size + (1 << 20) >= Int(clamping: limit.rlim_cur) {
            return Self.message(EFBIG) + " [\(file) is \(size) bytes; the limit is \(limit.rlim_cur)]"
        }
        var fs = statvfs()
        if statvfs(path, &fs) == 0, Int(fs.f_bavail) * Int(fs.f_frsize) < (16 << 20) {
            return Self.message(ENOSPC) + " [\(Int(fs.f_bavail) * Int(fs.f_frsize)) bytes free]"
        }
        return Self.message(rc)
    }

    /// `requested` bytes of map, or a quarter of the process's address-space limit when one is
    /// set (`ulimit -v`) and smaller: the map is reserved address space, and a map larger than
    /// the limit would fail to open.
    static func addressSpaceFor(_ requested: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return requested }
        return max(1 << 20, min(requested, Int(clamping: limit.rlim_cur / 4)))
    }

    private func grow() throws(StoreError) {
        var info = MDB_envinfo()
        try check(mdb_env_info(env, &info), "read map size")
        try check(mdb_env_set_mapsize(env, info.me_mapsize * 2), "grow map")
    }

    fileprivate func dbi(_ name: String, _ txn: OpaquePointer) throws(StoreError) -> MDB_dbi {
        if let problem = damaged[name] { throw .corrupt(path: path, reason: "data.mdb \(name): " + problem) }
        guard let dbi = databases[name] else {
            throw .lmdb(path: path, operation: "find database \(name)", message: "not opened with the environment")
        }
        return dbi
    }

    fileprivate func fail(_ rc: Int32, _ operation: String) -> StoreError {
        switch rc {
        case MDB_MAP_FULL: .mapFull
        // LMDB found pages that make no sense: damage, with the advice that repairs it.
        case MDB_CORRUPTED, MDB_PAGE_NOTFOUND: .corrupt(path: path, reason: "LMDB could not \(operation): \(Self.message(rc))")
        default: .lmdb(path: path, operation: operation, message: Self.message(rc))
        }
    }
}

/// LMDB's assertion hook. LMDB asserts on pages that make no sense (a damaged data.mdb) and
/// aborts after this returns; rather than a bare SIGABRT, this says what it means and ends
/// the process with exit code 1. It captures nothing (a C function pointer), and writes with
/// `write(2)` and leaves with `_exit`: LMDB is mid-operation, so nothing else is run.
private let lmdbAssertionFailed: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Void = { env, message in
    var folder: UnsafePointer<CChar>?
    if let env { _ = mdb_env_get_path(env, &folder) }
    let path = folder.map { String(cString: $0) } ?? "an index"
    let text = "exemplar: error: \(path): index data is damaged (LMDB: \(message.map { String(cString: $0) } ?? "assertion failed")); "
        + "rebuild it with 'exemplar build \((path as NSString).deletingLastPathComponent) --rebuild'\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
    _exit(1)
}

/// A read transaction kept open for reads over time: every read sees the store as it was
/// when the snapshot began. LMDB keeps the pages it sees (a write cannot reuse them) until the
/// snapshot ends, when the last reference goes.
///
/// Threading: LMDB allows one thread at a time in a transaction (`MDB_NOTLS` lets that thread
/// change): `read` holds `lock` while its body runs. Hence `@unchecked Sendable`.
package final class LMDBSnapshot: @unchecked Sendable {
    private let environment: LMDBEnvironment
    private let txn: OpaquePointer
    private let lock = NSLock()

    fileprivate init(environment: LMDBEnvironment, txn: OpaquePointer) {
        self.environment = environment
        self.txn = txn
    }

    /// Runs `body` in the snapshot's transaction, one caller at a time.
    package func read<T>(_ body: (LMDBTransaction) throws(StoreError) -> T) throws(StoreError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(LMDBTransaction(txn: txn, environment: environment))
    }

    deinit { mdb_txn_abort(txn) }
}

/// One open transaction; valid only inside the `read`/`write` body that received it.
package struct LMDBTransaction {
    fileprivate let txn: OpaquePointer
    fileprivate let environment: LMDBEnvironment

    /// The value stored under `key` in database `db`, copied out; `nil` when absent.
    package func get(_ db: String, _ key: some ContiguousBytes) throws(StoreError) -> [UInt8]? {
        try withValue(db, key) { $0.map(Array.init) }
    }

    /// Calls `body` with the stored bytes (valid during the call only), or `nil` when absent.
    package func withValue<T>(_ db: String, _ key: some ContiguousBytes, _ body: (UnsafeRawBufferPointer?) -> T) throws(StoreError) -> T {
        let dbi = try environment.dbi(db, txn)
        let (rc, result): (Int32, T?) = key.withUnsafeBytes { k in
            var mk = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            var mv = MDB_val()
            let rc = mdb_get(txn, dbi, &mk, &mv)
            return (rc, rc == 0 ? body(UnsafeRawBufferPointer(start: mv.mv_data, count: mv.mv_size)) : nil)
        }
        if rc == MDB_NOTFOUND { return body(nil) }
        guard rc == 0, let result else { throw environment.fail(rc, "get from \(db)") }
        return result
    }

    /// Stores `value` under `key`. `append` asserts keys arrive in increasing order (MDB_APPEND:
    /// no page splits, half the file size for bulk loads).
    package func put(_ db: String, _ key: some ContiguousBytes, _ value: some ContiguousBytes, append: Bool = false) throws(StoreError) {
        let dbi = try environment.dbi(db, txn)
        let rc = key.withUnsafeBytes { k in
            value.withUnsafeBytes { v in
                var mk = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
                var mv = MDB_val(mv_size: v.count, mv_data: UnsafeMutableRawPointer(mutating: v.baseAddress))
                return mdb_put(txn, dbi, &mk, &mv, append ? UInt32(MDB_APPEND) : 0)
            }
        }
        guard rc == 0 else { throw environment.fail(rc, "put into \(db)") }
    }

    /// Removes `key` from `db`; returns whether it was there.
    @discardableResult
    package func delete(_ db: String, _ key: some ContiguousBytes) throws(StoreError) -> Bool {
        let dbi = try environment.dbi(db, txn)
        let rc = key.withUnsafeBytes { k in
            var mk = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            return mdb_del(txn, dbi, &mk, nil)
        }
        if rc == MDB_NOTFOUND { return false }
        guard rc == 0 else { throw environment.fail(rc, "delete from \(db)") }
        return true
    }

    /// Empties database `db`.
    package func clear(_ db: String) throws(StoreError) {
        let dbi = try environment.dbi(db, txn)
        let rc = mdb_drop(txn, dbi, 0)
        guard rc == 0 else { throw environment.fail(rc, "clear \(db)") }
    }

    /// Calls `body` with every key and value of `db` in key order (bytes valid during the call).
    package func forEach(_ db: String, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(StoreError) -> Void) throws(StoreError) {
        let dbi = try environment.dbi(db, txn)
        var cursor: OpaquePointer?
        var rc = mdb_cursor_open(txn, dbi, &cursor)
        guard rc == 0 else { throw environment.fail(rc, "open cursor on \(db)") }
        defer { mdb_cursor_close(cursor) }
        var k = MDB_val(), v = MDB_val()
        rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST)
        while rc == 0 {
            try body(UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size),
                     UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
            rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)
        }
        guard rc == MDB_NOTFOUND else { throw environment.fail(rc, "iterate \(db)") }
    }

    /// Number of entries in `db`.
    package func count(_ db: String) throws(StoreError) -> Int {
        let dbi = try environment.dbi(db, txn)
        var stat = MDB_stat()
        let rc = mdb_stat(txn, dbi, &stat)
        guard rc == 0 else { throw environment.fail(rc, "stat \(db)") }
        return stat.ms_entries
    }
}
