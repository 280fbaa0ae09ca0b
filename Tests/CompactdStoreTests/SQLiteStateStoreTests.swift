import CompactdCore
import CompactdStore
import CompactdTestSupport
import Foundation
import Testing

/// What only the SQLite store has: a file.
@Suite("SQLite state store")
struct SQLiteStateStoreTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("compactd-store-\(UUID().uuidString).sqlite").path
    }

    @Test("a file that is not a database is reported clearly")
    func notADatabase() throws {
        let path = Self.temporaryPath()
        try Data("this is not sqlite, just text padding the header out......................................".utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try SQLiteStateStore(path: path)
            Issue.record("opening a text file as a database should fail")
        } catch {
            #expect(error.code == .corrupt)
            #expect(error.description.contains("restore the state file from a backup"))
        }
    }

    @Test("one delivery's two outcomes in one call are written in order: the later one stands")
    func repeatedDeliveryInOneGroup() async throws {
        let store = try SQLiteStateStore(path: Self.temporaryPath())
        try await store.enqueue([StoreFixture.delivery("a"), StoreFixture.delivery("b")], now: Instant(secondsSinceEpoch: 0))
        #expect(try await store.claimDue(now: Instant(secondsSinceEpoch: 1000), limit: 5, channels: ["hook"]).count == 2)
        // Two of a's outcomes share a group of four (the store writes 16, 8, 4, 2 or 1 at a time).
        try await store.record([
            AttemptRecord(deliveryID: "a", number: 1, startedAt: Instant(secondsSinceEpoch: 1000), finishedAt: Instant(secondsSinceEpoch: 1001), outcome: .retry, httpStatus: 503, latencyMilliseconds: 1, nextAttemptAt: Instant(secondsSinceEpoch: 9000), detail: "HTTP 503"),
            AttemptRecord(deliveryID: "b", number: 1, startedAt: Instant(secondsSinceEpoch: 1000), finishedAt: Instant(secondsSinceEpoch: 1002), outcome: .dead, httpStatus: 404, latencyMilliseconds: 1, detail: "HTTP 404"),
            AttemptRecord(deliveryID: "a", number: 2, startedAt: Instant(secondsSinceEpoch: 1003), finishedAt: Instant(secondsSinceEpoch: 1004), outcome: .delivered, httpStatus: 204, latencyMilliseconds: 1),
            AttemptRecord(deliveryID: "a", number: 3, startedAt: Instant(secondsSinceEpoch: 1005), finishedAt: Instant(secondsSinceEpoch: 1006), outcome: .dead, httpStatus: 410, latencyMilliseconds: 1, detail: "HTTP 410"),
        ])
        let a = try #require(try await store.delivery(id: "a"))
        #expect(a.status == .dead && a.lastError == "HTTP 410" && a.nextAttemptAt == nil && a.updatedAt == Instant(secondsSinceEpoch: 1006))
        #expect(try await store.attempts(deliveryID: "a", since: nil, limit: 10).map(\.number) == [1, 2, 3])
        #expect(try await store.delivery(id: "b")?.status == .dead)
    }

    @Test("the outbox's counts follow every write of this store and another handle's; the oldest waiting row, kept between reads, any process's")
    func keptReadsFollowWrites() async throws {
        let path = Self.temporaryPath()
        let store = try SQLiteStateStore(path: path)
        try await store.enqueue([StoreFixture.delivery("a", at: 3000), StoreFixture.delivery("b", at: 1000), StoreFixture.delivery("c", at: 2000)], now: Instant(secondsSinceEpoch: 0))
        #expect(try await store.statusCounts() == [.pending: 3])
        #expect(try await store.oldestPendingSendAt() == Instant(secondsSinceEpoch: 1000))
        // Read again with nothing written: the same.
        #expect(try await store.statusCounts() == [.pending: 3])

        // This store's own write.
        let claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 1500), limit: 1, channels: ["hook"])
        #expect(claimed.map(\.id) == ["b"])
        #expect(try await store.statusCounts() == [.pending: 2, .sending: 1])
        try await store.record([AttemptRecord(deliveryID: "b", number: 1, startedAt: Instant(secondsSinceEpoch: 1500), finishedAt: Instant(secondsSinceEpoch: 1501),
                                              outcome: .delivered, httpStatus: 200, latencyMilliseconds: 1)])
        #expect(try await store.statusCounts() == [.pending: 2, .delivered: 1])
        #expect(try await store.oldestPendingSendAt() == Instant(secondsSinceEpoch: 2000))

        // Another handle's write (compactctl's, say): c dead-lettered. The counts are kept by
        // the store's writes, whichever process makes them (`delivery_counts`).
        let other = try SQLiteStateStore(path: path)
        #expect(try await other.claimDue(now: Instant(secondsSinceEpoch: 2500), limit: 1, channels: ["hook"]).map(\.id) == ["c"])
        try await other.record([AttemptRecord(deliveryID: "c", number: 1, startedAt: Instant(secondsSinceEpoch: 2500), finishedAt: Instant(secondsSinceEpoch: 2501),
                                              outcome: .dead, httpStatus: 410, latencyMilliseconds: 1)])
        // Another process's write (Python's sqlite3): a's send time moved.
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("UPDATE deliveries SET send_at = 500000000 WHERE id = 'a'")
            db.commit()
            """
        let result = try ServerProcess.runPython(["-c", script, path])
        #expect(result.status == 0, "\(result.output)")
        #expect(try await store.statusCounts() == [.pending: 1, .delivered: 1, .dead: 1])
        #expect(try await store.oldestPendingSendAt() == Instant(secondsSinceEpoch: 500))
    }
}
