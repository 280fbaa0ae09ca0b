import CSQLite

/// One open SQLite database. Owns its handle and closes it in `deinit`.
///
/// Not thread-safe by itself: `SQLiteStateStore` confines every use to its own serial queue,
/// which is what makes the unchecked Sendable conformance true.
final class SQLiteConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    let path: String
    /// Prepared statements by SQL text, reused: preparing costs more than running most of ours.
    private var statements: [StatementKey: OpaquePointer] = [:]

    /// SQL text as a table key, hashed by its length and its first and last 32 bytes: hashing
    /// every byte of a few hundred cost 1,500 instructions a query, four queries a delivery.
    /// Equality still compares the whole text (at once when it is the same literal).
    private struct StatementKey: Hashable {
        let sql: String

        func hash(into hasher: inout Hasher) {
            var sql = sql
            sql.withUTF8 { bytes in
                hasher.combine(bytes.count)
                hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes.prefix(32))))
                hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes.suffix(32))))
            }
        }
    }

    /// Opens (creating if needed) the database with WAL and a busy timeout, so compactctl can
    /// read and write while the daemon runs.
    init(path: String, busyTimeoutMilliseconds: Int32 = 5000, readOnly: Bool = false) throws(StateStoreError) {
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw StateStoreError(code: Self.code(for: rc), message: "\(message) (\(path))", sqliteCode: rc, operation: "opening the database")
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        sqlite3_extended_result_codes(db, 1)
        if !readOnly {
            // 16 KiB pages for a new file (an existing one keeps its own: in WAL mode the size
            // cannot change). An outbox row is about 500 bytes and every claim and outcome
            // rewrites its page in the WAL: with 4 KiB pages 20,000 webhooks wrote 33,000 pages
            // and their headers (two pwrite calls each), with 16 KiB 12,000, 6% less CPU in
            // all (8 KiB: 2%; 64 KiB: no better than 16).
            try execute("PRAGMA page_size = 16384", operation: "choosing the page size")
            try execute("PRAGMA journal_mode = WAL", operation: "enabling WAL")
            // NORMAL in WAL mode: a commit survives a crash of compactd; a power cut may lose
            // the last commits, which are then resent under their identity, never lost.
            try execute("PRAGMA synchronous = NORMAL", operation: "setting synchronous")
        }
        // Reads through a memory map instead of a pread(2) per page: clean, file-backed pages
        // the kernel can drop, so a large outbox costs no private memory.
        try execute("PRAGMA mmap_size = \(Self.mappedBytes)", operation: "mapping the database")
        try execute("PRAGMA foreign_keys = ON", operation: "enabling foreign keys")
        // Statement journals (a statement that writes several rows keeps the pages it changes
        // until it completes, to undo it alone) and temporary tables in memory, not in files
        // written and deleted: the outcomes written 16 a statement doubled the pages written.
        try execute("PRAGMA temp_store = MEMORY", operation: "keeping temporary data in memory")
    }

    /// How much of the file is read through the memory map (SQLite's mmap_size).
    static let mappedBytes = 268_435_456

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    static func code(for rc: Int32) -> StateStoreError.Code {
        switch rc & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED: .busy
        case SQLITE_READONLY, SQLITE_FULL, SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_PERM: rc & 0xFF == SQLITE_CANTOPEN ? .open : .readOnlyOrFull
        case SQLITE_CORRUPT, SQLITE_NOTADB: .corrupt
        case SQLITE_CONSTRAINT: .conflict
        default: .other
        }
    }

    func error(_ rc: Int32, _ operation: String) -> StateStoreError {
        StateStoreError(code: Self.code(for: rc), message: String(cString: sqlite3_errmsg(handle)), sqliteCode: rc, operation: operation)
    }

    /// Rows this connection has inserted, updated or deleted since it opened (a counter that
    /// only grows, rolled-back changes included).
    var totalChanges: Int64 { sqlite3_total_changes64(handle) }

    /// Runs statements that return no rows.
    func execute(_ sql: String, operation: String) throws(StateStoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(message)
            throw StateStoreError(code: Self.code(for: rc), message: text, sqliteCode: rc, operation: operation)
        }
    }

    /// Prepares, binds, steps through every row and finalizes one statement.
    @discardableResult
    func query(_ sql: String, _ values: [SQLiteValue] = [], operation: String, row: (SQLiteRow) throws(StateStoreError) -> Void = { _ in }) throws(StateStoreError) -> Int {
        var rc: Int32
        let statement: OpaquePointer
        // The SQL text is hashed once per query (it is a few hundred bytes: a second lookup to
        // decide whether to finalize cost as much as the first).
        let kept: Bool
        if let cached = statements[StatementKey(sql: sql)] {
            statement = cached
            kept = true
        } else {
            var prepared: OpaquePointer?
            rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
            guard rc == SQLITE_OK, let prepared else { throw error(rc, operation) }
            // Statements built with a variable number of parameters are not worth keeping.
            kept = statements.count < 64
            if kept { statements[StatementKey(sql: sql)] = prepared }
            statement = prepared
        }
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
            if !kept { sqlite3_finalize(statement) }
        }
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            switch value {
            case .null: rc = sqlite3_bind_null(statement, index)
            case .integer(let v): rc = sqlite3_bind_int64(statement, index, v)
            case .text(var s): rc = Self.bindText(&s, to: statement, at: index)
            case .real(let d): rc = sqlite3_bind_double(statement, index, d)
            }
            guard rc == SQLITE_OK else { throw error(rc, operation) }
        }
        while true {
            rc = sqlite3_step(statement)
            if rc == SQLITE_ROW {
                try row(SQLiteRow(statement: statement))
            } else if rc == SQLITE_DONE {
                return Int(sqlite3_changes(handle))
            } else {
                throw error(rc, operation)
            }
        }
    }

    /// Binds text from the string's own UTF-8 with its length (SQLite copies it): passing the
    /// String as a C string made a NUL-terminated copy of every value first.
    private static func bindText(_ text: inout String, to statement: OpaquePointer, at index: Int32) -> Int32 {
        text.withUTF8 { utf8 in
            // An empty buffer may have no address, and a NULL pointer would bind SQL NULL.
            guard let base = utf8.baseAddress, !utf8.isEmpty else { return compactd_sqlite3_bind_text(statement, index, "", 0) }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) { compactd_sqlite3_bind_text(statement, index, $0, Int32(utf8.count)) }
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction: the write lock is taken at the start,
    /// so a concurrent writer waits (busy timeout) instead of failing halfway.
    func transaction<T>(_ operation: String, _ body: () throws(StateStoreError) -> T) throws(StateStoreError) -> T {
        try execute("BEGIN IMMEDIATE", operation: operation)
        do {
            let result = try body()
            try execute("COMMIT", operation: operation)
            return result
        } catch {
            try? execute("ROLLBACK", operation: operation)
            throw error
        }
    }
}

/// A value bound to a statement parameter.
enum SQLiteValue {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    static func optional(_ s: String?) -> SQLiteValue { s.map { .text($0) } ?? .null }
    static func optional(_ i: Int64?) -> SQLiteValue { i.map { .integer($0) } ?? .null }
    static func int(_ i: Int) -> SQLiteValue { .integer(Int64(i)) }
}

/// The current row of a statement, read by column index.
struct SQLiteRow {
    let statement: OpaquePointer

    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    func optionalInt(_ column: Int32) -> Int64? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, column)
    }

    func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(statement, column) else { return "" }
        return String(cString: p)
    }

    /// The column's text as UTF-8 bytes, valid only inside `body` (no String is made).
    func withText<T>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        let start = sqlite3_column_text(statement, column)
        let count = Int(sqlite3_column_bytes(statement, column))
        return body(UnsafeBufferPointer(start: start, count: start == nil ? 0 : count))
    }

    func optionalText(_ column: Int32) -> String? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : text(column)
    }
}
