import CompactdCore
@testable import CompactdStore
import CompactdTestSupport
import Foundation
import Testing

/// Migrations on real files: a database written by an older compactd opens, is brought up to
/// date, and keeps its rows.
@Suite("SQLite migrations")
struct SQLiteMigrationTests {
    /// Python's sqlite3 module reads a file's page size (not ours).
    static func pageSize(_ path: String) throws -> Int {
        let result = try ServerProcess.runPython(["-c", "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('pragma page_size').fetchone()[0])", path])
        #expect(result.status == 0, "\(result.output)")
        return try #require(Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    @Test("a new state file has 16 KiB pages; a file made with 4 KiB pages (by Python's sqlite3) keeps them and works")
    func pageSizes() async throws {
        let fresh = SQLiteStateStoreTests.temporaryPath()
        _ = try SQLiteStateStore(path: fresh)
        #expect(try Self.pageSize(fresh) == 16384)

        let old = SQLiteStateStoreTests.temporaryPath()
        let made = try ServerProcess.runPython(["-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('pragma page_size = 4096'); c.execute('pragma journal_mode = wal'); c.execute('create table t (x)'); c.commit()", old])
        #expect(made.status == 0, "\(made.output)")
        let store = try SQLiteStateStore(path: old)
        let snapshot = NoticeSnapshot(compactID: "bell", partner: "Bell", cycleID: "c", cycleTitle: "C", occurrence: "2026-07-01", stepID: "s", stepTitle: "S", kind: "reminder", label: "due", detail: "0", dueAtUTC: "2026-07-01T16:00:00Z", dueAtLocal: "2026-07-01 09:00 PDT", timeZone: "America/Los_Angeles", daysUntilDue: 0, commitments: [])
        let now = Instant(secondsSinceEpoch: 1_000)
        #expect(try await store.enqueue([NewDelivery(id: "bell/c/2026-07-01/s/remind-0/hook", stepKey: "bell/c/2026-07-01/s", channel: "hook", contact: nil, sendAt: now, snapshot: snapshot, missed: false)], now: now).count == 1)
        let claimed = try await store.claimDue(now: now, limit: 5, channels: ["hook"])
        #expect(claimed.map(\.snapshot) == [snapshot])
        #expect(try Self.pageSize(old) == 4096)
        #expect(try await store.integrityProblems() == nil)
    }

    @Test("a version-1 database is migrated to the latest schema, rows kept, claims in due-then-written order")
    func fromVersionOne() async throws {
        let path = SQLiteStateStoreTests.temporaryPath()
        do {
            let old = try SQLiteConnection(path: path)
            try old.execute(SQLiteSchema.migrations[0], operation: "test: schema 1")
            try old.execute("PRAGMA user_version = 1", operation: "test: version 1")
            for id in ["c", "a", "b"] {
                try old.execute(
                    "INSERT INTO deliveries (id, step_key, compact_id, channel, send_at, status, attempts, next_attempt_at, created_at, updated_at, snapshot) VALUES ('\(id)', 'bell/x', 'bell', 'hook', 100, 'pending', 0, 100, 0, 0, '{}')",
                    operation: "test: a version-1 row"
                )
            }
        }
        let store = try SQLiteStateStore(path: path)
        var version: Int64 = 0
        let check = try SQLiteConnection(path: path, readOnly: true)
        _ = try check.query("PRAGMA user_version", operation: "test") { version = $0.int(0) }
        #expect(version == Int64(SQLiteSchema.migrations.count))
        var plan: [String] = []
        _ = try check.query("EXPLAIN QUERY PLAN SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= 200 ORDER BY next_attempt_at, rowid LIMIT 2", operation: "test") { plan.append($0.text(3)) }
        // The claim reads the pending-rows index in order and stops after the rows it takes.
        #expect(!plan.joined().contains("TEMP B-TREE"), "\(plan)")
        #expect(plan.joined().contains("deliveries_pending"), "\(plan)")
        var indexes: [String] = []
        _ = try check.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deliveries' AND sql IS NOT NULL ORDER BY name", operation: "test") { indexes.append($0.text(0)) }
        #expect(indexes == ["deliveries_contacted", "deliveries_dead", "deliveries_pending", "deliveries_send_at"])
        // Due at the same instant: in the order they were written (c, then a), not by id.
        let claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 0).adding(microseconds: 200), limit: 2, channels: ["hook"])
        #expect(claimed.map(\.id) == ["c", "a"])
        #expect(try await store.integrityProblems() == nil)
    }

    /// A new state file (the latest schema) holding one pending row.
    static func stateWithOneRow() async throws -> String {
        let path = SQLiteStateStoreTests.temporaryPath()
        let store = try SQLiteStateStore(path: path)
        try await store.enqueue([StoreFixture.delivery("a")], now: Instant(secondsSinceEpoch: 0))
        return path
    }

    /// SQLite's own plan for a statement (Python's sqlite3, each `?` bound to 0), one line per
    /// step, and the exit status (not 0 when SQLite refuses the statement).
    static func queryPlan(_ sql: String, in path: String) throws -> (status: Int32, plan: [String]) {
        let script = """
            import sqlite3, sys
            for row in sqlite3.connect(sys.argv[1]).execute("EXPLAIN QUERY PLAN " + sys.argv[2], [0] * sys.argv[2].count("?")):
                print(row[3])
            """
        let result = try ServerProcess.runPython(["-c", script, path, sql])
        return (result.status, result.output.split(separator: "\n").map(String.init))
    }

    @Test("the queue's counts read the pending and dead rows' indexes, not the table (SQLite's own query plan, by Python's sqlite3)")
    func queueCountsUseIndexes() async throws {
        let path = try await Self.stateWithOneRow()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, plan) = try Self.queryPlan(SQLiteStateStore.queueCountsSQL, in: path)
        #expect(status == 0, "\(plan)")
        #expect(plan.contains { $0.contains("deliveries_pending") }, "\(plan)")
        #expect(plan.contains { $0.contains("deliveries_dead") }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN deliveries") && !$0.contains("INDEX") }, "\(plan)")
    }

    @Test("the look-back's written ids, each compact's last contact, the rows a snooze held, the oldest pending row and one compact's history read their indexes, never the whole table (SQLite's own query plan, by Python's sqlite3)")
    func readsOfHistoryUseIndexes() async throws {
        let path = try await Self.stateWithOneRow()
        defer { try? FileManager.default.removeItem(atPath: path) }
        for (sql, index) in [(SQLiteStateStore.writtenIDsSQL, "deliveries_send_at"), (SQLiteStateStore.lastContactSQL, "deliveries_contacted"),
                             (SQLiteStateStore.releaseSnoozedSQL, "deliveries_pending"), (SQLiteStateStore.oldestPendingSQL, "deliveries_pending"),
                             (SQLiteStateStore.recentDeliveriesSQL(compact: true, since: true), "sqlite_autoindex_deliveries_1 (id>? AND id<?)"),
                             (SQLiteStateStore.recentAttemptsSQL(compact: true, since: false), "sqlite_autoindex_attempts_1 (delivery_id>? AND delivery_id<?)")] {
            let (status, plan) = try Self.queryPlan(sql, in: path)
            #expect(status == 0, "\(plan)")
            #expect(plan.contains { $0.contains(index) }, "\(plan)")
            // "SCAN deliveries" alone is every row; a SCAN of the recursive table is one row per compact.
            #expect(!plan.contains { $0.contains("SCAN deliveries") && !$0.contains("INDEX") }, "\(plan)")
            #expect(!plan.contains { $0.contains("SCAN d ") || $0.hasSuffix("SCAN d") }, "\(plan)")
            #expect(!plan.contains { ($0.contains("SCAN a") || $0.contains("SCAN attempts")) && !$0.contains("INDEX") }, "\(plan)")
        }
    }
}
