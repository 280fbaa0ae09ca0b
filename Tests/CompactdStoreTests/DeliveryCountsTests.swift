import CompactdCore
@testable import CompactdPostgres
@testable import CompactdStore
import CompactdTestSupport
import Foundation
import Testing

/// `delivery_counts` is kept by the outbox's writes, not counted from the rows at each read
/// (`/metrics`, `compactctl status`). The oracle is the rows themselves, counted by the query
/// the reads used before: by channel and status, the retries among the pending (tried
/// before), and each channel's latest delivered row.
@Suite("the outbox's counts, kept by its writes")
struct DeliveryCountsTests {
    struct Counted: Equatable, CustomStringConvertible {
        var byStatus: [DeliveryStatus: Int] = [:]
        var byChannel: [String: [DeliveryStatus: Int]] = [:]
        var retrying: [String: Int] = [:]
        var lastSuccess: [String: Instant] = [:]
        var lastFailure: [String: String] = [:]

        var description: String { "\(byStatus) \(byChannel) retrying \(retrying) last success \(lastSuccess) last failure \(lastFailure)" }
    }

    /// The rows counted, through a connection of the test's own.
    static func counted(_ path: String) throws -> Counted {
        let connection = try SQLiteConnection(path: path, readOnly: true)
        var counted = Counted()
        try connection.query("SELECT channel, status, COUNT(*), SUM(attempts > 0), MAX(updated_at) FROM deliveries GROUP BY channel, status", operation: "test: counting") { row in
            guard let status = DeliveryStatus(rawValue: row.text(1)) else { return }
            let channel = row.text(0)
            counted.byStatus[status, default: 0] += Int(row.int(2))
            counted.byChannel[channel, default: [:]][status] = Int(row.int(2))
            if status == .pending { counted.retrying[channel] = Int(row.int(3)) }
            if status == .delivered { counted.lastSuccess[channel] = Instant(microsecondsSinceEpoch: row.int(4)) }
        }
        try connection.query(
            "SELECT d.channel, MAX(a.finished_at), a.detail FROM attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE a.outcome <> 'delivered' GROUP BY d.channel",
            operation: "test: last failures"
        ) { row in counted.lastFailure[row.text(0)] = "\(row.int(1)) \(row.optionalText(2) ?? "-")" }
        return counted
    }

    /// The rows counted on PostgreSQL, by psql, with the queries the reads used before the
    /// counts were kept there (schema 5).
    static func countedPostgres(_ database: String) throws -> Counted {
        let server = try PostgresServer.shared()
        var counted = Counted()
        // One psql run for both (a run costs more than the queries): the counts' rows have
        // five fields, the failures' three.
        let output = try server.psql(database, """
            SELECT channel, status, count(*), count(*) FILTER (WHERE attempts > 0), MAX(updated_at) FROM deliveries GROUP BY channel, status;
            SELECT DISTINCT ON (d.channel) d.channel, a.finished_at, a.detail FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
            WHERE a.outcome <> 'delivered' ORDER BY d.channel, a.finished_at DESC;
            """)
        for line in output.split(separator: "\n") {
            let field = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if field.count == 5, let status = DeliveryStatus(rawValue: field[1]), let count = Int(field[2]), let tried = Int(field[3]) {
                counted.byStatus[status, default: 0] += count
                counted.byChannel[field[0], default: [:]][status] = count
                if status == .pending { counted.retrying[field[0]] = tried }
                if status == .delivered, let latest = Int64(field[4]) { counted.lastSuccess[field[0]] = Instant(microsecondsSinceEpoch: latest) }
            } else if field.count == 3, Int64(field[1]) != nil {
                counted.lastFailure[field[0]] = "\(field[1]) \(field[2].isEmpty ? "-" : field[2])"
            }
        }
        return counted
    }

    /// What the store says, in the same shape.
    static func said(_ store: any StateStore) async throws -> Counted {
        var said = Counted()
        said.byStatus = try await store.statusCounts()
        for summary in try await store.channelSummaries() {
            said.byChannel[summary.channel] = summary.counts.filter { $0.value != 0 }
            if summary.count(.pending) > 0 { said.retrying[summary.channel] = summary.retrying }
            if let last = summary.lastSuccess, summary.count(.delivered) > 0 { said.lastSuccess[summary.channel] = last }
            if let failure = summary.lastFailure { said.lastFailure[summary.channel] = "\(failure.microsecondsSinceEpoch) \(summary.lastFailureDetail ?? "-")" }
        }
        return said
    }

    /// A seeded generator: the same run every time.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state ^ (state >> 29)
        }

        mutating func next(_ bound: Int) -> Int { Int((next() >> 33) % UInt64(bound)) }
    }

    /// 300 random writes on three channels, each kind the daemon and compactctl make: new
    /// notices (some missed, some already written), claims of any size on some of the
    /// channels (cancelling acknowledged steps' notices), outcomes of every kind (a delivery's
    /// two outcomes in one call now and then, the first not delivered; the channel given or
    /// not), graceful releases, crash recovery, retried dead
    /// letters by channel and by id. After each, the store's counts are the rows'. On
    /// PostgreSQL the counts are the changes its triggers append, folded every few reads here.
    @Test("after each of 300 random writes (150 on PostgreSQL) of every kind, the counts by status and each channel's summary are the rows'", arguments: StoreKind.allCases)
    func countsFollowEveryWrite(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.close() }
        let store: any StateStore
        switch kind {
        case .sqlite:
            store = try SQLiteStateStore(path: fixture.sqlitePath)
        case .postgresql:
            let replica = try fixture.openReplica()
            replica.countChangesFoldThreshold.store(40, ordering: .relaxed)
            store = replica
        }
        func counted() throws -> Counted {
            kind == .sqlite ? try Self.counted(fixture.sqlitePath) : try Self.countedPostgres(fixture.database!.name)
        }
        var random = Seeded(state: 0x5EED_C0DE)
        let channels = ["hook", "mail", "slack"]
        let steps = (0..<12).map { "city-\($0 % 4)/summer/2026-05-01/step-\($0)" }
        var now: Int64 = 10_000
        var written: [String] = []
        var inFlight: [DeliveryRecord] = []
        var attemptNumbers: [String: Int] = [:]
        var seen: Set<DeliveryStatus> = []
        var retried = 0
        var acknowledged: Set<String> = []
        var finishes: Int64 = 0
        for step in 0..<(kind == .sqlite ? 300 : 150) {
            now += Int64(1 + random.next(30))
            let at = Instant(secondsSinceEpoch: now)
            let operation: String
            switch random.next(20) {
            case 0..<6:
                operation = "enqueue"
                var batch: [NewDelivery] = (0..<(1 + random.next(8))).map { n in
                    NewDelivery(id: "n\(step)-\(n)", stepKey: steps[random.next(steps.count)], channel: channels[random.next(3)], contact: nil,
                                sendAt: Instant(secondsSinceEpoch: now - Int64(random.next(100))), snapshot: StoreFixture.snapshot(), missed: random.next(5) == 0)
                }
                if let old = written.randomElement(using: &random) { batch.append(StoreFixture.delivery(old, channel: "hook", at: now)) }
                written += batch.map(\.id)
                _ = try await store.enqueue(batch, now: at)
            case 6..<11:
                operation = "claim"
                let some = Set(channels.filter { _ in random.next(3) != 0 })
                inFlight += try await store.claimDue(now: at, limit: 1 + random.next(10), channels: some.isEmpty ? ["mail"] : some)
            case 11..<16:
                operation = "record"
                var outcomes: [AttemptRecord] = []
                let outcomeKinds: [AttemptOutcome] = [.delivered, .retry, .dead, .gone]
                for record in inFlight.shuffled(using: &random).prefix(1 + random.next(8)) {
                    let times = random.next(6) == 0 ? 2 : 1
                    for time in 0..<times {
                        let number = (attemptNumbers[record.id] ?? 0) + 1
                        attemptNumbers[record.id] = number
                        // Delivered is final: a second outcome never follows it (the last
                        // success is when a row last became delivered).
                        let outcome = time + 1 < times ? outcomeKinds[1 + random.next(3)] : outcomeKinds[random.next(4)]
                        // The channel given as the dispatcher gives it, or not (then each row is read).
                        // Each finish at a time of its own (the last failure of two at the same instant is either).
                        finishes += 1
                        let finished = Instant(microsecondsSinceEpoch: at.adding(seconds: Int64(random.next(3))).microsecondsSinceEpoch + finishes)
                        outcomes.append(AttemptRecord(deliveryID: record.id, number: number, startedAt: at, finishedAt: finished, outcome: outcome,
                                                      latencyMilliseconds: 1, nextAttemptAt: outcome == .retry ? at.adding(seconds: Int64(random.next(60))) : nil, detail: "\(outcome) at \(now)",
                                                      channel: random.next(4) == 0 ? nil : record.channel))
                    }
                }
                let recorded = Set(outcomes.map(\.deliveryID))
                inFlight.removeAll { recorded.contains($0.id) }
                try await store.record(outcomes)
            case 16:
                operation = "release"
                let released = Array(inFlight.shuffled(using: &random).prefix(1 + random.next(4)))
                inFlight.removeAll { record in released.contains { $0.id == record.id } }
                try await store.release(ids: released.map(\.id), now: at)
            case 17:
                operation = "recover"
                inFlight = []
                _ = try await store.recoverInterrupted(now: at)
            case 18:
                operation = "acknowledge"
                let stepKey = steps[random.next(steps.count)]
                guard !acknowledged.contains(stepKey) else { continue }
                acknowledged.insert(stepKey)
                try await store.acknowledge(StepAcknowledgment(stepKey: stepKey, at: at), compactID: String(stepKey.prefix { $0 != "/" }), source: "test")
            default:
                operation = "retry dead letters"
                retried += try await store.retryDead(ids: nil, channel: random.next(2) == 0 ? nil : channels[random.next(3)], by: "ops", at: at)
            }
            let counted = try counted()
            seen.formUnion(counted.byStatus.keys)
            let said = try await Self.said(store)
            if said != counted {
                let parts = [("by status", said.byStatus == counted.byStatus), ("by channel", said.byChannel == counted.byChannel),
                             ("retrying", said.retrying == counted.retrying), ("last success", said.lastSuccess == counted.lastSuccess),
                             ("last failure", said.lastFailure == counted.lastFailure)]
                Issue.record("after write \(step) (\(operation)), \(parts.filter { !$0.1 }.map(\.0)) differ: the store says \(said), the rows say \(counted)")
                return
            }
        }
        // Every status was reached, and the rarer writes happened.
        #expect(seen == Set(DeliveryStatus.allCases), "\(seen)")
        #expect(retried > 0)
    }

    /// A state written before either store kept its counts (the same statements for both):
    /// rows of every status on three channels, and failed attempts, the hook's last at 650
    /// ("HTTP 503"), the mail's at 880.
    static let stateBeforeCounts: [String] = {
        let rows: [(String, String, Int, Int)] = [("hook", "delivered", 1, 500), ("hook", "delivered", 2, 700), ("hook", "pending", 1, 300), ("hook", "pending", 0, 100),
                                                  ("mail", "dead", 3, 900), ("mail", "cancelled", 0, 50), ("mail", "missed", 0, 60), ("slack", "sending", 1, 800)]
        let attempts = [("r1", 1, 650, "retry", "HTTP 503"), ("r0", 1, 400, "retry", "HTTP 500"), ("r4", 1, 880, "dead", "HTTP 410"), ("r1", 2, 700, "delivered", "-")]
        return rows.enumerated().map { n, row in
            "INSERT INTO deliveries (id, step_key, compact_id, channel, send_at, status, attempts, next_attempt_at, created_at, updated_at, snapshot) VALUES ('r\(n)', 'bell/x', 'bell', '\(row.0)', 100, '\(row.1)', \(row.2), 100, 0, \(row.3), '{}')"
        } + attempts.map { delivery, number, at, outcome, detail in
            "INSERT INTO attempts (delivery_id, number, started_at, finished_at, outcome, latency_ms, detail) VALUES ('\(delivery)', \(number), \(at), \(at), '\(outcome)', 1, '\(detail)')"
        }
    }()

    /// A state written before the counts were kept (schema 6) is counted once when migrated,
    /// each channel's last failure found, then kept.
    @Test("a version-6 database is counted when migrated, then kept by the writes")
    func countedAtMigration() async throws {
        let path = SQLiteStateStoreTests.temporaryPath()
        do {
            let old = try SQLiteConnection(path: path)
            for migration in SQLiteSchema.migrations.prefix(6) { try old.execute(migration, operation: "test: schema up to 6") }
            try old.execute("PRAGMA user_version = 6", operation: "test: version 6")
            for statement in Self.stateBeforeCounts { try old.execute(statement, operation: "test: a version-6 row") }
        }
        let store = try SQLiteStateStore(path: path)
        let counted = try Self.counted(path)
        #expect(counted.byStatus == [.delivered: 2, .pending: 2, .dead: 1, .cancelled: 1, .missed: 1, .sending: 1])
        #expect(counted.lastFailure == ["hook": "650 HTTP 503", "mail": "880 HTTP 410"])
        #expect(try await Self.said(store) == counted)
        #expect(try await store.recoverInterrupted(now: Instant(secondsSinceEpoch: 1)) == 1)
        #expect(try await Self.said(store) == Self.counted(path))
    }

    /// A PostgreSQL database written before its counts were kept (schema 4) is counted once
    /// when a replica of this build migrates it, each channel's last failure found, then kept.
    @Test("a PostgreSQL database at schema 4 is counted when migrated, then kept by the writes")
    func countedAtPostgresMigration() async throws {
        let fixture = try StoreFixture(.postgresql)
        defer { fixture.close() }
        let database = try #require(fixture.database).name
        let server = try PostgresServer.shared()
        var script = PostgresSchema.migrations.prefix(4).flatMap { $0 }.joined(separator: ";\n") + ";\n"
        script += "CREATE TABLE compactd_schema (version INTEGER NOT NULL); INSERT INTO compactd_schema VALUES (4);\n"
        script += Self.stateBeforeCounts.map { $0 + ";\n" }.joined()
        _ = try server.psql(database, script)
        let store = try fixture.openReplica()
        let counted = try Self.countedPostgres(database)
        #expect(counted.byStatus == [.delivered: 2, .pending: 2, .dead: 1, .cancelled: 1, .missed: 1, .sending: 1])
        #expect(counted.lastFailure == ["hook": "650 HTTP 503", "mail": "880 HTTP 410"])
        #expect(try await Self.said(store) == counted)
        #expect(try server.psql(database, "SELECT version FROM compactd_schema").trimmingCharacters(in: .whitespacesAndNewlines) == "\(PostgresSchema.migrations.count)")
        // A write after the migration is counted by the triggers, whoever makes it: the slack
        // row taken back from psql with a search_path that does not find compactd's tables.
        _ = try server.psql(database, "SET search_path = pg_catalog; UPDATE public.deliveries SET status = 'pending', attempts = 0 WHERE id = 'r7'")
        #expect(try await Self.said(store) == Self.countedPostgres(database))
    }
}
