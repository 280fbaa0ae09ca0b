import CompactdCore
@testable import CompactdStore
import Foundation
import Testing

/// Migrations on real files: a database written by an older compactd opens, is brought up to
/// date, and keeps its rows.
@Suite("SQLite migrations")
struct SQLiteMigrationTests {
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
        #expect(indexes == ["deliveries_pending", "deliveries_step"])
        // Due at the same instant: in the order they were written (c, then a), not by id.
        let claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 0).adding(microseconds: 200), limit: 2, channels: ["hook"])
        #expect(claimed.map(\.id) == ["c", "a"])
        #expect(try await store.integrityProblems() == nil)
    }
}
