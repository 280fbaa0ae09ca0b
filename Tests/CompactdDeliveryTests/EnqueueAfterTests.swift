import CompactdCore
import CompactdDelivery
import CompactdStore
import Testing

/// `enqueueDue(after:)`: a pass that plans only what is sent after an earlier pass writes the
/// same outbox as passes that look back over the whole catch-up window, and plans only what
/// fell due in between.
@Suite("Outbox written since the last pass")
struct EnqueueAfterTests {
    /// Twelve deadlines a day apart from 2025-03-14 09:00 Los Angeles, reminders a day before and
    /// at the due time: 24 notices, two a day from 03-13.
    static let deadlines = (1..<12).map { n in
        "[[deadlines]]\nid = \"d\(n)\"\ntitle = \"Deadline \(n)\"\ndue = 2025-03-\(String(format: "%02d", 14 + n))T09:00:00\n"
    }.joined(separator: "\n")

    static func fixture() throws -> DeliveryFixture {
        try DeliveryFixture(channels: "[channels.district-log]\ntype = \"log\"", notify: ["district-log"], reminders: "[\"1d\", \"0\"]", extraDeadlines: deadlines)
    }

    static func outbox(_ fixture: DeliveryFixture) async throws -> [String] {
        try await fixture.store.deliveries(status: nil, channel: nil, limit: 1_000).map { "\($0.id) \($0.status)" }.sorted()
    }

    @Test("passes a few hours to two days apart: each plans what fell due since the last; the outbox is the full passes' own")
    func passesSinceTheLast() async throws {
        let incremental = try Self.fixture()
        defer { incremental.remove() }
        let full = try Self.fixture()
        defer { full.remove() }
        let start = TimestampFormat.parse("2025-03-12 20:00", zone: incremental.configuration.timeZone)!
        incremental.clock.set(start)
        full.clock.set(start)
        let steps: [Int64] = [3_600 * 5, 3_600 * 14, 60, 86_400 * 2, 3_600 * 9, 86_400, 3_600 * 30, 86_400 * 2, 86_400 * 3, 86_400 * 4]
        var through: Instant?
        var plannedSince = 0
        for step in steps {
            incremental.clock.advance(seconds: step)
            full.clock.advance(seconds: step)
            let now = incremental.clock.now
            let pass = try await incremental.dispatcher().enqueueDue(now: now, after: through)
            let fullPass = try await full.dispatcher().enqueueDue(now: now)
            // What fell due in (through, now], counted by hand: reminders at 09:00 on the day
            // before each due date and on it, due dates 03-14 to 03-25.
            let expected = Self.noticeTimes(in: incremental.configuration.timeZone).filter { time in time <= now && (through.map { time > $0 } ?? true) }.count
            #expect(pass.planned == expected, "pass at \(now.rfc3339UTC)")
            #expect(pass.enqueued == fullPass.enqueued)
            #expect(try await Self.outbox(incremental) == (try await Self.outbox(full)))
            plannedSince += pass.planned
            through = now
        }
        #expect(plannedSince == 24)
    }

    @Test("an earlier mark after now (the clock set back) plans nothing and fails nothing")
    func markAfterNow() async throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let now = fixture.clock.now
        let pass = try await fixture.dispatcher().enqueueDue(now: now, after: now.adding(seconds: 3_600))
        #expect(pass.planned == 0 && pass.enqueued == 0)
    }

    /// The send times of the 24 notices, worked out from the TOML above.
    static func noticeTimes(in zone: ZoneInfo) -> [Instant] {
        (14...25).flatMap { day in
            [TimestampFormat.parse("2025-03-\(day - 1) 09:00", zone: zone)!, TimestampFormat.parse("2025-03-\(day) 09:00", zone: zone)!]
        }
    }
}
