import CompactdCore
import CompactdStore
import Foundation
import Testing

/// The SQLite store on real files in a temporary folder.
@Suite("SQLite state store")
struct SQLiteStateStoreTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("compactd-store-\(UUID().uuidString).sqlite").path
    }

    static func snapshot(_ compact: String = "bell") -> NoticeSnapshot {
        NoticeSnapshot(compactID: compact, partner: "City of Bell", cycleID: "summer", cycleTitle: "Summer", occurrence: "2025-05-01", stepID: "kickoff", stepTitle: "Kickoff", kind: "reminder", label: "7d before", detail: "7d", dueAtUTC: "2025-05-15T16:00:00Z", dueAtLocal: "2025-05-15T09:00:00-07:00", timeZone: "America/Los_Angeles", daysUntilDue: 7, commitments: ["Safety"])
    }

    static func delivery(_ id: String, step: String = "bell/summer/2025-05-01/kickoff", channel: String = "hook", at seconds: Int64 = 1000) -> NewDelivery {
        NewDelivery(id: id, stepKey: step, channel: channel, contact: nil, sendAt: Instant(secondsSinceEpoch: seconds), snapshot: snapshot())
    }

    @Test("enqueue is insert-or-ignore on the identity")
    func enqueueIdempotent() async throws {
        let path = Self.temporaryPath()
        let store = try SQLiteStateStore(path: path)
        let now = Instant(secondsSinceEpoch: 900)
        #expect(try await store.enqueue([Self.delivery("a"), Self.delivery("b")], now: now) == ["a", "b"])
        #expect(try await store.enqueue([Self.delivery("a"), Self.delivery("c")], now: now) == ["c"])
        let all = try await store.deliveries(status: nil, channel: nil, limit: 10)
        #expect(all.map(\.id) == ["a", "b", "c"])
        #expect(all[0].snapshot == Self.snapshot())
        #expect(try await store.integrityProblems() == nil)
    }

    @Test("a claim is stamped with the time it is given, not the machine's clock")
    func claimUsesGivenClock() async throws {
        let store = try SQLiteStateStore(path: Self.temporaryPath())
        try await store.enqueue([Self.delivery("a", at: 100)], now: Instant(secondsSinceEpoch: 0))
        // A "now" a century away from the machine's: the stamp must be this one.
        let now = Instant(secondsSinceEpoch: 4_102_444_800)
        #expect(try await store.claimDue(now: now, limit: 10, channels: ["hook"]).map(\.id) == ["a"])
        #expect(try await store.delivery(id: "a")?.updatedAt == now)
    }

    @Test("claim takes what is due, marks it sending and counts the attempt")
    func claim() async throws {
        let store = try SQLiteStateStore(path: Self.temporaryPath())
        try await store.enqueue([Self.delivery("early", at: 100), Self.delivery("late", at: 5000)], now: Instant(secondsSinceEpoch: 0))
        let claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 1000), limit: 10, channels: ["hook", "mail"])
        #expect(claimed.map(\.id) == ["early"])
        #expect(claimed[0].status == .sending && claimed[0].attempts == 1)
        #expect(try await store.claimDue(now: Instant(secondsSinceEpoch: 1000), limit: 10, channels: ["hook", "mail"]).isEmpty)
        #expect(try await store.nextAttemptDue() == Instant(secondsSinceEpoch: 5000))
    }

    @Test("an acknowledged step's pending deliveries are cancelled at claim time, others are not")
    func acknowledgedCancelled() async throws {
        let store = try SQLiteStateStore(path: Self.temporaryPath())
        try await store.enqueue([Self.delivery("acked", step: "bell/summer/2025-05-01/kickoff"), Self.delivery("other", step: "bell/summer/2025-05-01/review")], now: Instant(secondsSinceEpoch: 0))
        try await store.acknowledge(StepAcknowledgment(stepKey: "bell/summer/2025-05-01/kickoff", at: Instant(secondsSinceEpoch: 10), by: "ops", note: "done"), compactID: "bell", source: "test")
        let claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 2000), limit: 10, channels: ["hook", "mail"])
        #expect(claimed.map(\.id) == ["other"])
        #expect(try await store.delivery(id: "acked")?.status == .cancelled)
        await #expect(throws: StateStoreError.self) {
            try await store.acknowledge(StepAcknowledgment(stepKey: "bell/summer/2025-05-01/kickoff", at: Instant(secondsSinceEpoch: 11)), compactID: "bell", source: "test")
        }
        let history = try await store.history(compactID: "bell", since: nil, kinds: nil, limit: 10)
        #expect(history.map(\.kind) == ["acknowledged"])
        #expect(history[0].actor == "ops")
    }

    @Test("outcomes: retry reschedules, dead and gone dead-letter, delivered is final; attempts are kept")
    func outcomes() async throws {
        let store = try SQLiteStateStore(path: Self.temporaryPath())
        try await store.enqueue([Self.delivery("d")], now: Instant(secondsSinceEpoch: 0))
        var claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 1000), limit: 1, channels: ["hook", "mail"])
        try await store.record([AttemptRecord(deliveryID: "d", number: claimed[0].attempts, startedAt: Instant(secondsSinceEpoch: 1000), finishedAt: Instant(secondsSinceEpoch: 1001), outcome: .retry, httpStatus: 503, latencyMilliseconds: 12, nextAttemptAt: Instant(secondsSinceEpoch: 1300), detail: "HTTP 503")])
        #expect(try await store.delivery(id: "d")?.status == .pending)
        #expect(try await store.claimDue(now: Instant(secondsSinceEpoch: 1200), limit: 1, channels: ["hook", "mail"]).isEmpty)
        claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 1300), limit: 1, channels: ["hook", "mail"])
        #expect(claimed.first?.attempts == 2)
        try await store.record([AttemptRecord(deliveryID: "d", number: 2, startedAt: Instant(secondsSinceEpoch: 1300), finishedAt: Instant(secondsSinceEpoch: 1301), outcome: .dead, httpStatus: 404, latencyMilliseconds: 5, detail: "HTTP 404")])
        #expect(try await store.delivery(id: "d")?.status == .dead)
        #expect(try await store.retryDead(ids: ["d"], channel: nil, by: "ops", at: Instant(secondsSinceEpoch: 1400)) == 1)
        claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 1400), limit: 1, channels: ["hook", "mail"])
        try await store.record([AttemptRecord(deliveryID: "d", number: 3, startedAt: Instant(secondsSinceEpoch: 1400), finishedAt: Instant(secondsSinceEpoch: 1401), outcome: .delivered, httpStatus: 204, latencyMilliseconds: 3)])
        #expect(try await store.delivery(id: "d")?.status == .delivered)
        let attempts = try await store.attempts(deliveryID: "d", since: nil, limit: 10)
        #expect(attempts.map(\.outcome) == [.retry, .dead, .delivered])
        #expect(attempts.map(\.httpStatus) == [503, 404, 204])
        let summary = try #require(try await store.channelSummaries().first)
        #expect(summary.count(.delivered) == 1)
        #expect(summary.lastSuccess == Instant(secondsSinceEpoch: 1401))
        #expect(summary.lastFailure == Instant(secondsSinceEpoch: 1301))
        #expect(summary.lastFailureDetail == "HTTP 404")
    }

    @Test("after a crash, deliveries left sending are sent again under the same identity")
    func recovery() async throws {
        let path = Self.temporaryPath()
        do {
            let store = try SQLiteStateStore(path: path)
            try await store.enqueue([Self.delivery("x")], now: Instant(secondsSinceEpoch: 0))
            _ = try await store.claimDue(now: Instant(secondsSinceEpoch: 1000), limit: 1, channels: ["hook", "mail"])
        }
        let reopened = try SQLiteStateStore(path: path)
        #expect(try await reopened.recoverInterrupted(now: Instant(secondsSinceEpoch: 2000)) == 1)
        let again = try await reopened.claimDue(now: Instant(secondsSinceEpoch: 2000), limit: 1, channels: ["hook", "mail"])
        #expect(again.map(\.id) == ["x"])
        #expect(again[0].attempts == 2)
    }

    @Test("a disabled channel's deliveries wait until it is re-enabled")
    func disabledChannel() async throws {
        let store = try SQLiteStateStore(path: Self.temporaryPath())
        try await store.enqueue([Self.delivery("h", channel: "hook"), Self.delivery("m", channel: "mail")], now: Instant(secondsSinceEpoch: 0))
        try await store.disableChannel(ChannelState(channel: "hook", disabledAt: Instant(secondsSinceEpoch: 5), reason: "HTTP 410 Gone"))
        #expect(try await store.claimDue(now: Instant(secondsSinceEpoch: 2000), limit: 10, channels: ["hook", "mail"]).map(\.id) == ["m"])
        #expect(try await store.disabledChannels().map(\.channel) == ["hook"])
        try await store.enableChannel("hook", by: "ops", at: Instant(secondsSinceEpoch: 3000))
        #expect(try await store.claimDue(now: Instant(secondsSinceEpoch: 3000), limit: 10, channels: ["hook", "mail"]).map(\.id) == ["h"])
    }

    @Test("a second process can write while the first holds the file open (WAL, busy timeout)")
    func twoConnections() async throws {
        let path = Self.temporaryPath()
        let daemon = try SQLiteStateStore(path: path)
        let operatorTool = try SQLiteStateStore(path: path)
        try await daemon.enqueue([Self.delivery("a")], now: Instant(secondsSinceEpoch: 0))
        try await operatorTool.acknowledge(StepAcknowledgment(stepKey: "bell/summer/2025-05-01/kickoff", at: Instant(secondsSinceEpoch: 1)), compactID: "bell", source: "compactctl")
        #expect(try await daemon.plannerState().acknowledgments.keys.sorted() == ["bell/summer/2025-05-01/kickoff"])
        #expect(try await daemon.claimDue(now: Instant(secondsSinceEpoch: 5000), limit: 10, channels: ["hook", "mail"]).isEmpty)
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
}
