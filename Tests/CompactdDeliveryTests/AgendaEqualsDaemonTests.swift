import CompactdConfig
import CompactdCore
import CompactdDelivery
import CompactdStore
import Foundation
import Logging
import Testing

/// What the agenda says will be sent is what the daemon sends, notice by notice and hour by
/// hour, over a simulated December (injected clock): with an acknowledgment, its withdrawal, a
/// snooze ending mid-month, a holiday and weekend shift, and four days down ending inside the
/// catch-up window. At each change the projection (`NoticeProjection`, the code `agenda` uses)
/// is asked what the next stretch will send; the dispatcher (the code `compactd` runs) then
/// runs a pass every hour of it, and every delivery's attempt time must be the first pass at or
/// after the projected send time, with nothing more and nothing less.
@Suite("agenda equals daemon")
struct AgendaEqualsDaemonTests {
    static let main = """
        time_zone = "America/Los_Angeles"
        state_path = "state.sqlite"
        compacts = ["compacts/*.toml"]
        catch_up = "3d"
        [policy]
        reminders = ["7d", "1d", "0"]
        overdue_every = "7d"
        overdue_limit = 2
        shift = "before"
        [business_days]
        weekend = ["Sat", "Sun"]
        [[holidays]]
        name = "Christmas Day"
        calendar = "*-12-25"
        [channels.log]
        type = "log"
        """

    static let compact = """
        id = "carson"
        partner = "City of Carson"
        status = "active"
        notify = ["log"]
        [[cycles]]
        id = "review"
        title = "Review"
        calendar = "2026-12-01 09:00"
        [[cycles.steps]]
        id = "kickoff"
        title = "Kickoff"
        due = "+0d"
        [[cycles.steps]]
        id = "follow-up"
        title = "Follow-up"
        due = "+10d"
        [[deadlines]]
        id = "d1"
        title = "First report"
        due = 2026-12-07T09:00:00
        [[deadlines]]
        id = "d2"
        title = "Second report"
        due = 2026-12-14T09:00:00
        [[deadlines]]
        id = "d3"
        title = "Year-end report"
        due = 2026-12-26T09:00:00
        """

    static func at(_ text: String, _ zone: ZoneInfo) -> Instant { TimestampFormat.parse(text, zone: zone)! }

    @Test("a month of passes sends exactly what the projection said, through ack, unack, snooze, holiday and downtime")
    func month() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agenda-daemon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("compacts"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.main.write(to: directory.appendingPathComponent("compactd.toml"), atomically: true, encoding: .utf8)
        try Self.compact.write(to: directory.appendingPathComponent("compacts/carson.toml"), atomically: true, encoding: .utf8)
        let configuration = try ConfigurationLoader(environment: [:]).load(path: directory.appendingPathComponent("compactd.toml").path).configuration
        let zone = configuration.timeZone
        let store = try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path)
        let clock = VirtualClock(Self.at("2026-11-25 00:00", zone))
        let engine = CurlEngine()
        defer { engine.shutdown() }
        let templates = TemplateSet(directory: DeliveryFixture.templates)
        let dispatcher = Dispatcher(configuration: configuration, store: store, engine: engine, templates: templates,
                                    logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), clock: { clock.now })
        let projection = NoticeProjection(configuration: configuration)
        let d1 = "carson/deadline/2026-12-07/d1", d2 = "carson/deadline/2026-12-14/d2"

        /// Stretches of hourly passes, each opened by a change to the state.
        let stretches: [(start: String, end: String, change: (@Sendable (Instant) async throws -> Void)?)] = [
            ("2026-11-25 00:00", "2026-12-03 12:00", nil),
            ("2026-12-03 12:00", "2026-12-05 12:00", { now in try await store.acknowledge(StepAcknowledgment(stepKey: d1, at: now, by: "maria", note: nil), compactID: "carson", source: "test") }),
            ("2026-12-05 12:00", "2026-12-08 12:00", { now in try await store.unacknowledge(stepKey: d1, compactID: "carson", by: "maria", at: now, source: "test") }),
            ("2026-12-08 12:00", "2026-12-16 00:00", { now in
                try await store.snooze(StepSnooze(stepKey: d2, at: now, until: Self.at("2026-12-15 10:00", zone), by: "maria"), compactID: "carson", source: "test")
            }),
            // compactd down from the 16th to the 20th at noon: 3 days of catch-up, the rest missed.
            ("2026-12-20 12:00", "2027-01-01 00:00", nil),
        ]
        var expected: [String: Instant] = [:]
        var projectedTwice: [String] = []
        for stretch in stretches {
            let start = Self.at(stretch.start, zone), end = Self.at(stretch.end, zone)
            clock.set(start)
            try await stretch.change?(start)
            let written = try await store.writtenIDs(sendAtFrom: projection.catchUpStart(now: start))
            for notice in projection.upcoming(now: start, to: end, state: try await store.plannerState(), written: written) {
                // Sent by the first hourly pass at or after its projected time.
                let offset = notice.sendAt.microsecondsSinceEpoch - start.microsecondsSinceEpoch
                let hours = (offset + 3_599_999_999) / 3_600_000_000
                if expected.updateValue(start.adding(seconds: hours * 3600), forKey: notice.id) != nil { projectedTwice.append(notice.id) }
            }
            var now = start
            while now < end {
                clock.set(now)
                _ = try await dispatcher.enqueueDue(now: now)
                _ = await dispatcher.deliverDue()
                now = now.adding(seconds: 3600)
            }
        }
        var actual: [String: Instant] = [:]
        for attempt in try await store.attempts(deliveryID: nil, since: nil, limit: 10_000) where attempt.outcome == .delivered {
            actual[attempt.deliveryID] = attempt.startedAt
        }
        #expect(projectedTwice.isEmpty, "\(projectedTwice)")
        #expect(actual.count > 15, "the month should send a good number of notices (\(actual.count))")
        let missing = expected.filter { actual[$0.key] == nil }.map { "\($0.key) at \(TimestampFormat.short($0.value, in: zone))" }.sorted()
        let unexpected = actual.filter { expected[$0.key] == nil }.map { "\($0.key) at \(TimestampFormat.short($0.value, in: zone))" }.sorted()
        let mistimed = expected.compactMap { id, when in actual[id].flatMap { $0 == when ? nil : "\(id): projected \(TimestampFormat.short(when, in: zone)), sent \(TimestampFormat.short($0, in: zone))" } }.sorted()
        #expect(missing.isEmpty, "projected, never sent: \(missing)")
        #expect(unexpected.isEmpty, "sent, never projected: \(unexpected)")
        #expect(mistimed.isEmpty, "\(mistimed)")
        // The scenario did what it says: d1's reminder held by the ack went out at the unack, d2's
        // last held reminder at the snooze's end, the holiday moved d3, something was missed.
        #expect(actual["\(d1)/remind-1d/log"] == Self.at("2026-12-05 12:00", zone), "\(actual.filter { $0.key.hasPrefix(d1) })")
        #expect(actual.filter { $0.key.hasPrefix(d2) && $0.value == Self.at("2026-12-15 10:00", zone) }.count == 1, "\(actual.filter { $0.key.hasPrefix(d2) })")
        #expect(actual["carson/deadline/2026-12-26/d3/remind-0/log"] == Self.at("2026-12-24 09:00", zone), "\(actual.filter { $0.key.contains("/d3/") })")
        #expect(try await store.deliveries(status: .missed, channel: nil, limit: 100).count > 0)
    }
}
