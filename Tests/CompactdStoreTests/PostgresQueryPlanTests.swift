import CompactdCore
@testable import CompactdPostgres
import CompactdStore
import CompactdTestSupport
import Foundation
import Testing

/// What PostgreSQL's own planner does with the reads that run on every `/metrics` scrape, once the
/// outbox holds a long history: they must read what waits, not every row ever sent.
@Suite("PostgreSQL query plans")
struct PostgresQueryPlanTests {
    @Test("the oldest waiting row is found through the pending and sending rows' indexes, not by walking the history (EXPLAIN, 20,000 delivered rows)")
    func oldestWaitingUsesPartialIndexes() async throws {
        let fixture = try StoreFixture(.postgresql)
        defer { fixture.close() }
        let store = try fixture.openReplica()
        // The schema, and two rows waiting: one pending, one in flight.
        try await store.enqueue([StoreFixture.delivery("w1", at: 5000), StoreFixture.delivery("w2", at: 6000)], now: Instant(secondsSinceEpoch: 0))
        _ = try await store.claimDue(now: Instant(secondsSinceEpoch: 5500), limit: 1, channels: ["hook"])
        let database = try #require(fixture.database).name
        let server = try PostgresServer.shared()
        // A history older than anything waiting, and statistics that say so.
        _ = try server.psql(database, """
            INSERT INTO deliveries (id, step_key, compact_id, channel, send_at, status, attempts, created_at, updated_at, snapshot)
            SELECT 'h' || i, 'bell/h' || i, 'bell', 'hook', i, 'delivered', 1, 0, i, '{}' FROM generate_series(1, 20000) AS i;
            ANALYZE deliveries;
            """)
        let plan = try server.psql(database, "EXPLAIN " + PostgresStateStore.oldestWaitingSQL)
        #expect(plan.contains("deliveries_pending"), "\(plan)")
        #expect(plan.contains("deliveries_sending"), "\(plan)")
        #expect(!plan.contains("deliveries_send_at"), "\(plan)")
        #expect(!plan.contains("Seq Scan"), "\(plan)")
        // The answer the plan gives: the row in flight still waits, and is the older one.
        #expect(try await store.oldestPendingSendAt() == Instant(secondsSinceEpoch: 5000))
    }

    @Test("the outbox's counts are the changes its writes appended, and each channel's last failure walks the failed attempts from the newest (EXPLAIN, 20,000 delivered rows and 20,000 failed attempts)")
    func countsReadWhatChanged() async throws {
        let fixture = try StoreFixture(.postgresql)
        defer { fixture.close() }
        let store = try fixture.openReplica()
        try await store.enqueue([StoreFixture.delivery("w1", at: 5000)], now: Instant(secondsSinceEpoch: 0))
        let database = try #require(fixture.database).name
        let server = try PostgresServer.shared()
        _ = try server.psql(database, """
            INSERT INTO deliveries (id, step_key, compact_id, channel, send_at, status, attempts, created_at, updated_at, snapshot)
            SELECT 'h' || i, 'bell/h' || i, 'bell', 'hook', i, 'delivered', 1, 0, i, '{}' FROM generate_series(1, 20000) AS i;
            INSERT INTO attempts (delivery_id, number, started_at, finished_at, outcome, latency_ms, detail)
            SELECT 'h' || i, 1, i, i, 'retry', 1, 'HTTP 503' FROM generate_series(1, 20000) AS i;
            ANALYZE deliveries; ANALYZE attempts;
            """)
        let plan = try server.psql(database, "EXPLAIN " + PostgresStateStore.lastFailuresSQL)
        #expect(plan.contains("Index Scan Backward using attempts_failed"), "\(plan)")
        #expect(!plan.contains("Seq Scan on attempts"), "\(plan)")
        #expect(!plan.contains("Seq Scan on deliveries"), "\(plan)")
        // What the reads give: the rows the writes made, and the newest failure.
        #expect(try await store.statusCounts() == [.pending: 1, .delivered: 20000])
        let hook = try #require(try await store.channelSummaries().first { $0.channel == "hook" })
        #expect(hook.lastFailure == Instant(microsecondsSinceEpoch: 20000) && hook.lastFailureDetail == "HTTP 503")
    }
}
