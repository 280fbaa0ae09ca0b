import CompactdCore
@testable import CompactdStore
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

    /// The daemon's listener asks for the oldest waiting row during a pass, while rows are in
    /// flight: the store takes the oldest of those from the rows it claimed itself, and reads the
    /// file only when another handle has rows in flight too. Two handles claim, record every
    /// kind of outcome and release, in random order, with rows enqueued between; after each step
    /// the first handle's answer is the file's, as Python's sqlite3 reads it.
    @Test("the oldest waiting row while rows are in flight, this handle's and another's")
    func oldestWaitingInFlight() async throws {
        let path = Self.temporaryPath()
        let daemon = try SQLiteStateStore(path: path)
        let other = try SQLiteStateStore(path: path)
        let oracle = """
            import sqlite3, sys
            row = sqlite3.connect(sys.argv[1]).execute("SELECT MIN(send_at) FROM deliveries WHERE status IN ('pending', 'sending')").fetchone()
            print(row[0] if row[0] is not None else "none")
            """
        func fileSays() throws -> Instant? {
            let result = try ServerProcess.runPython(["-c", oracle, path])
            let text = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            return Int64(text).map(Instant.init(microsecondsSinceEpoch:))
        }
        // The same steps every run: a seed whose steps leave both handles with rows in flight,
        // the other's older (with seeds 21 and 7 a store ignoring the other handle's rows passed).
        var generator = SeededGenerator(seed: 99)
        var held: [[(id: String, sendAt: Instant)]] = [[], []]  // each handle's rows in flight
        var next = 0
        let now = Instant(secondsSinceEpoch: 1_000_000)
        for step in 0..<50 {
            let which = Int.random(in: 0...1, using: &generator)
            let store = which == 0 ? daemon : other
            switch Int.random(in: 0..<5, using: &generator) {
            case 0:
                let rows = (0..<Int.random(in: 1...4, using: &generator)).map { _ in
                    next += 1
                    return StoreFixture.delivery("r\(next)", at: Int64.random(in: 1...900_000, using: &generator))
                }
                try await store.enqueue(rows, now: Instant(secondsSinceEpoch: 0))
            case 1, 2:
                let claimed = try await store.claimDue(now: now, limit: Int.random(in: 1...3, using: &generator), channels: ["hook"])
                held[which] += claimed.map { ($0.id, $0.sendAt) }
            case 3:
                // As the dispatcher makes them: with the delivery's channel and send time.
                let rows = held[which].shuffled(using: &generator).prefix(Int.random(in: 1...3, using: &generator))
                let outcomes: [AttemptOutcome] = [.delivered, .retry, .dead]
                try await store.record(rows.map { row in
                    let outcome = outcomes.randomElement(using: &generator)!
                    return AttemptRecord(deliveryID: row.id, number: 1, startedAt: now, finishedAt: now, outcome: outcome, httpStatus: 200, latencyMilliseconds: 1,
                                         nextAttemptAt: outcome == .retry ? now : nil, detail: outcome == .delivered ? nil : "HTTP 503", channel: "hook", sendAt: row.sendAt)
                })
                held[which].removeAll { row in rows.contains { $0.id == row.id } }
            default:
                let ids = held[which].prefix(Int.random(in: 1...2, using: &generator)).map(\.id)
                try await store.release(ids: ids, now: now)
                held[which].removeAll { ids.contains($0.id) }
            }
            #expect(try await daemon.oldestPendingSendAt() == fileSays(), "step \(step)")
            // What the daemon holds is what it claimed and has no outcome for: when the other
            // handle has nothing in flight, those rows alone answer.
            #expect(try await daemon.heldRowsInFlight() == held[0].count, "step \(step)")
        }
        // Recovery (the daemon's start) takes every row in flight back, the other handle's too.
        _ = try await daemon.recoverInterrupted(now: now)
        #expect(try await daemon.oldestPendingSendAt() == fileSays())
    }
}
