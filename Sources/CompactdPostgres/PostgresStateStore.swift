import CompactdCore
import CompactdStore
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// compactd's state in PostgreSQL, shared by several replicas.
///
/// The same outbox as SQLite's, with what sharing needs:
/// - **Enqueue** is `INSERT … ON CONFLICT DO NOTHING` on the notice's identity, so replicas
///   planning the same notices at once write each one once.
/// - **Claims** take due rows `FOR UPDATE SKIP LOCKED` (two replicas never take the same row)
///   and give each a lease: the replica's id, a token (`replica#attempt`) and `lease_until`.
///   A row whose lease ran out (its replica died or lost the database) is taken by the next
///   claim anywhere and sent again under the same identity.
/// - **Fencing**: an outcome is recorded only where the row still carries the token it was
///   claimed with; a replica that was cut off and comes back records nothing over another's.
/// - **The database's clock** decides leases, and a row is due only when it is due by the
///   database's clock and by the caller's: a replica whose clock runs ahead does not send early.
/// - **Heartbeats** (`replicas` table) every third of a lease also renew the replica's leases, so
///   a slow send keeps its row while its replica lives.
/// - **LISTEN/NOTIFY**: an acknowledgment, snooze or retry made anywhere notifies every replica,
///   which plans again at once (`changeNotifications`).
///
/// It is a `Service`: `run()` runs postgres-nio's client, the heartbeat and the listener, and on
/// a graceful stop marks the replica stopped. Every operation gives up after `[state] timeout`
/// with `.unavailable`: the daemon then goes degraded and retries; nothing is sent that could
/// not be recorded, because nothing is claimed without the database.
public final class PostgresStateStore: StateStore, Service, Sendable {
    public let settings: PostgresSettings
    /// This process's identity among the replicas: host, pid and a random part (a pid is reused).
    public let replicaID: String
    let client: PostgresClient
    let logger: Logger
    let host: String
    let version: String
    let startedAt: Instant
    let notifications: AsyncStream<Void>
    let notify: AsyncStream<Void>.Continuation
    /// How far the caller's clock ran ahead of the database's at the last claim (microseconds,
    /// 0 when behind): a row due by the database's clock is due by the caller's this much later.
    let callerAhead = Atomic<Int64>(0)
    /// Whether the schema was checked (and migrated, for a writer) in this process.
    let prepared = Mutex<Bool>(false)
    let access: Access
    /// The lease tokens of the rows this replica claimed and has not yet recorded or released:
    /// the heartbeat renews only these. A row whose outcome could not be recorded (the database
    /// was away) leaves the set, so its lease lapses and another replica (or this one's
    /// recovery) sends it again, instead of a heartbeat keeping it held forever.
    let held = Mutex<[String: String]>([:])

    /// postgres-nio logs every query at debug and trace; compactd's journal does not want them.
    static let queryLogger = Logger(label: "compactd.postgres.query", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The notification channel every replica listens on.
    static let changesChannel = "compactd_changes"

    public enum Access: Sendable {
        /// A replica: migrates the schema, heartbeats, holds leases.
        case replica
        /// compactctl: never migrates; refuses a schema it does not know.
        case client
    }

    public init(settings: PostgresSettings, password: String?, access: Access = .replica, version: String = CompactdVersion.current, logger: Logger = Logger(label: "compactd.postgres")) throws(StateStoreError) {
        self.settings = settings
        self.access = access
        self.logger = logger
        self.version = version
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        host = String(cString: name)
        replicaID = "\(host)/\(getpid())/\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        startedAt = Instant.now
        (notifications, notify) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        do {
            client = PostgresClient(configuration: try PostgresConnectionSettings.clientConfiguration(settings, password: password), backgroundLogger: logger)
        } catch {
            throw StateStoreError(code: .open, message: "the TLS settings cannot be used: \(error)", operation: "connecting to PostgreSQL at \(settings.url)")
        }
    }

    public var changeNotifications: AsyncStream<Void>? { notifications }

    var leaseMicroseconds: Int64 { Int64(settings.leaseSeconds) * 1_000_000 }

    // MARK: - Running

    /// The client, the heartbeat and the listener, until a graceful stop (or cancellation).
    public func run() async throws {
        // Detached: postgres-nio's client is a Service too and would close at the group's
        // graceful stop, before this replica has said it stopped and released what it holds.
        let connections = Task.detached { await self.client.run() }
        await withTaskGroup(of: Void.self) { group in
            if access == .replica {
                group.addTask { await self.heartbeats() }
                group.addTask { await self.listen() }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        if access == .replica { await markStopped() }
        connections.cancel()
    }

    /// Runs the connection pool alone, until cancelled: no heartbeat, no listener (compactctl,
    /// tests).
    public func runConnections() async {
        await client.run()
    }

    /// Runs `body` with the connection pool running beside it (compactctl), then closes it.
    public func withRunning<T: Sendable>(_ body: @Sendable (PostgresStateStore) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await self.client.run(); return nil }
            defer { group.cancelAll() }
            return try await body(self)
        }
    }

    /// Checks the schema: a replica migrates it under the advisory lock, a client only reads its
    /// version. Either refuses a schema newer than this build. Done once per process.
    public func prepare() async throws(StateStoreError) {
        if prepared.withLock({ $0 }) { return }
        let known = PostgresSchema.migrations.count
        let access = access
        let logger = logger
        try await run("checking the schema") { client in
            try await client.withConnection { connection in
                if access == .client {
                    let version = try await Self.schemaVersion(connection, logger: logger)
                    if version < known {
                        throw StateStoreError(code: .migration, message: "the database is at schema version \(version), this build reads \(known): start a compactd replica (it migrates the schema) and try again", operation: "checking the schema")
                    }
                    if version > known {
                        throw StateStoreError(code: .migration, message: "the database is at schema version \(version), newer than this build knows (\(known)): use the compactctl of the running replicas", operation: "checking the schema")
                    }
                    return
                }
                // One replica migrates; one starting at the same moment waits here, then finds
                // the work done.
                try await connection.sql("SELECT pg_advisory_lock(\(PostgresSchema.advisoryLockKey))")
                do {
                    try await Self.migrate(connection, logger: logger)
                    try await connection.sql("SELECT pg_advisory_unlock(\(PostgresSchema.advisoryLockKey))")
                } catch {
                    _ = try? await connection.sql("SELECT pg_advisory_unlock(\(PostgresSchema.advisoryLockKey))")
                    throw error
                }
            }
        }
        prepared.withLock { $0 = true }
    }

    static func schemaVersion(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.sql("SELECT to_regclass('compactd_schema') IS NOT NULL")
        var exists = false
        for try await flag in rows.decode(Bool.self) { exists = flag }
        guard exists else { return 0 }
        var version = 0
        for try await v in try await connection.sql("SELECT version FROM compactd_schema").decode(Int.self) { version = v }
        return version
    }

    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.sql("CREATE TABLE IF NOT EXISTS compactd_schema (version INTEGER NOT NULL)")
        var version = try await schemaVersion(connection, logger: logger)
        if version == 0 {
            var rows = 0
            for try await n in try await connection.sql("SELECT count(*) FROM compactd_schema").decode(Int.self) { rows = n }
            if rows == 0 { try await connection.sql("INSERT INTO compactd_schema (version) VALUES (0)") }
        }
        let known = PostgresSchema.migrations.count
        if version > known {
            throw StateStoreError(code: .migration, message: "the database is at schema version \(version), newer than this build knows (\(known)): a newer compactd migrated it; run that version on every replica", operation: "checking the schema")
        }
        while version < known {
            let statements = PostgresSchema.migrations[version]
            let next = version + 1
            try await connection.withTransaction(logger: logger) { connection in
                for statement in statements { try await connection.sql(PostgresQuery(unsafeSQL: statement)) }
                try await connection.sql("UPDATE compactd_schema SET version = \(next)")
            }
            logger.notice("state schema migrated", metadata: ["version": "\(next)"])
            version = next
        }
    }

    /// Runs one operation against the database, bounded by `[state] timeout`; errors as the store's.
    func run<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws(StateStoreError) -> T {
        let client = client
        let timeout = settings.timeoutSeconds
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await body(client) }
                group.addTask {
                    try await Task.sleep(for: .seconds(timeout))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let value = first else { throw PostgresErrors.Timeout() }
                return value
            }
        } catch {
            throw PostgresErrors.storeError(error, operation: operation)
        }
    }

    /// `run` after `prepare`: every public operation goes through here.
    func perform<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws(StateStoreError) -> T {
        try await prepare()
        return try await run(operation, body)
    }

    /// Runs `body` in one transaction.
    func transaction<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws(StateStoreError) -> T {
        let logger = logger
        return try await perform(operation) { client in
            try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }

    /// One query's round trip to the database and back (`SELECT 1`): what every statement
    /// costs before the database does any work (the replica benchmark reports it).
    public func roundTrip() async throws(StateStoreError) {
        try await perform("asking the database") { client in
            try await client.sql("SELECT 1")
        }
    }

    // MARK: - Heartbeats and notifications

    /// Every third of a lease: says this replica is alive and renews the leases it holds.
    func heartbeats() async {
        let interval = max(1.0, Double(settings.leaseSeconds) / 3)
        var failing = false
        while !Task.isCancelled {
            do throws(StateStoreError) {
                try await heartbeat()
                if failing {
                    logger.notice("replica heartbeat recorded again", metadata: ["replica": "\(replicaID)"])
                    // The loop looks again at once: it recovers now, not at its next retry.
                    notify.yield()
                }
                failing = false
            } catch {
                if !failing {
                    logger.warning("replica heartbeat failed", metadata: ["replica": "\(replicaID)", "error": "\(error)"])
                    // The loop finds out now (degraded: STATUS, journal), not at its next wake.
                    notify.yield()
                }
                failing = true
            }
            try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
        }
    }

    /// One heartbeat: the replica's row, and its leases pushed a lease further.
    public func heartbeat() async throws(StateStoreError) {
        let (id, host, pid, version, started, lease) = (replicaID, host, Int(getpid()), version, startedAt.microsecondsSinceEpoch, leaseMicroseconds)
        let tokens = held.withLock { Array($0.values) }
        try await transaction("recording the replica's heartbeat") { connection in
            try await connection.sql("""
                INSERT INTO replicas (id, host, pid, version, started_at, heartbeat_at) VALUES (\(id), \(host), \(pid), \(version), \(started), compactd_now_us())
                ON CONFLICT (id) DO UPDATE SET heartbeat_at = compactd_now_us(), stopped_at = NULL
                """)
            try await connection.sql("""
                UPDATE deliveries SET lease_until = compactd_now_us() + \(lease) WHERE status = 'sending' AND lease_token = ANY(\(tokens))
                """)
            // Replicas that stopped or died more than a week ago leave the list.
            try await connection.sql("DELETE FROM replicas WHERE heartbeat_at < compactd_now_us() - 604800000000")
        }
    }

    func markStopped() async {
        let id = replicaID
        do throws(StateStoreError) {
            try await run("recording the replica's stop") { client in
                try await client.sql("UPDATE replicas SET stopped_at = compactd_now_us() WHERE id = \(id)")
            }
        } catch {
            logger.warning("replica stop not recorded", metadata: ["error": "\(error)"])
        }
    }

    /// Listens for changes made by others; reconnects after a lost connection.
    func listen() async {
        var delay = 1.0
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.changesChannel) { notifications in
                        delay = 1.0
                        for try await _ in notifications { self.notify.yield() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("listening for changes failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            // After a lost connection, something may have changed unheard: look again.
            notify.yield()
            delay = min(delay * 2, 30)
        }
    }

    static func notifyChange(_ connection: PostgresConnection, _ what: String) async throws {
        try await connection.sql("SELECT pg_notify(\(changesChannel), \(what))")
    }

    // MARK: - The outbox

    @discardableResult
    public func enqueue(_ deliveries: [NewDelivery], now: Instant) async throws(StateStoreError) -> [String] {
        guard !deliveries.isEmpty else { return [] }
        var inserted: [String] = []
        // In slices: one statement a slice, each row decoded from one JSON parameter.
        for start in stride(from: 0, to: deliveries.count, by: 2000) {
            let slice = Array(deliveries[start..<min(start + 2000, deliveries.count)])
            let payload = Self.deliveriesJSON(slice, now: now)
            let ids: [String] = try await transaction("writing deliveries to the outbox") { connection in
                var ids: [String] = []
                let rows = try await connection.sql("""
                    INSERT INTO deliveries (id, step_key, compact_id, channel, contact, send_at, status, attempts, next_attempt_at, created_at, updated_at, snapshot)
                    SELECT e.v->>'id', e.v->>'step_key', e.v->>'compact_id', e.v->>'channel', e.v->>'contact', (e.v->>'send_at')::bigint, e.v->>'status', 0,
                        (e.v->>'next_attempt_at')::bigint, (e.v->>'created_at')::bigint, (e.v->>'created_at')::bigint, e.v->>'snapshot'
                    FROM jsonb_array_elements(\(payload)::jsonb) WITH ORDINALITY AS e(v, n)
                    ORDER BY e.n
                    ON CONFLICT (id) DO NOTHING
                    RETURNING id
                    """)
                for try await id in rows.decode(String.self) { ids.append(id) }
                return ids
            }
            // RETURNING gives no order; keep the callers' order.
            let new = Set(ids)
            inserted += slice.map(\.id).filter { new.contains($0) }
        }
        return inserted
    }

    static func deliveriesJSON(_ deliveries: [NewDelivery], now: Instant) -> String {
        var w = JSONWriter(capacity: deliveries.count * 700)
        w.beginArray()
        for d in deliveries {
            w.beginObject()
            w.field("id", d.id)
            w.field("step_key", d.stepKey)
            w.field("compact_id", d.snapshot.compactID)
            w.field("channel", d.channel)
            w.optionalField("contact", d.contact)
            w.field("send_at", Int(d.sendAt.microsecondsSinceEpoch))
            w.field("status", d.missed ? DeliveryStatus.missed.rawValue : DeliveryStatus.pending.rawValue)
            w.optionalField("next_attempt_at", d.missed ? nil : Int(d.sendAt.microsecondsSinceEpoch))
            w.field("created_at", Int(now.microsecondsSinceEpoch))
            w.field("snapshot", SQLiteStateStore.encode(d.snapshot))
            w.endObject()
        }
        w.endArray()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    public func claimDue(now: Instant, limit: Int, channels: Set<String>) async throws(StateStoreError) -> [DeliveryRecord] {
        guard !channels.isEmpty, limit > 0 else { return [] }
        let channelList = channels.sorted()
        let (me, lease, t) = (replicaID, leaseMicroseconds, now.microsecondsSinceEpoch)
        let (claimed, databaseNow): ([DeliveryRecord], Int64) = try await transaction("claiming deliveries") { connection in
            // Due by both clocks: the caller's and the database's.
            var databaseNow: Int64 = 0
            var disabled: Set<String> = []
            var anyLapsed = false
            // One round trip for the clock, the disabled channels, and whether any lease has
            // lapsed (on the partial index of rows being sent): usually none, and then the
            // query for them is not sent at all.
            let first = try await connection.sql("""
                SELECT compactd_now_us(), ARRAY(SELECT channel FROM channel_state),
                    EXISTS (SELECT 1 FROM deliveries WHERE status = 'sending' AND lease_until < compactd_now_us())
                """)
            for try await (value, channels, lapsed) in first.decode((Int64, [String], Bool).self) {
                databaseNow = value
                disabled = Set(channels)
                anyLapsed = lapsed
            }
            let due = min(t, databaseNow)
            // Channels disabled after a 410 wait; the rest of those asked for are claimed.
            let allowed = channelList.filter { !disabled.contains($0) }
            if allowed.isEmpty { return ([], databaseNow) }
            var claimed: [DeliveryRecord] = []
            while claimed.count < limit {
                var candidates: [(id: String, acknowledged: Bool, snoozedUntil: Int64?)] = []
                // Two queries, each on its own partial index, rows locked first and then joined
                // (an OR, a join or a subquery on channel_state in the locking query made the
                // planner read and sort the whole table at every claim: measured 14 ms a claim
                // at 5,000 rows, then 0.3 ms): rows whose replica's lease ran out first (they
                // fell due earlier), then pending rows in due order, then in written order.
                for lapsed in anyLapsed ? [true, false] : [false] where candidates.count < limit - claimed.count {
                    let wanted = limit - claimed.count - candidates.count
                    let rows = try await connection.sql(lapsed ? """
                        WITH picked AS (
                            SELECT d.id, d.step_key, d.lease_until AS o1, d.seq AS o2 FROM deliveries d
                            WHERE d.status = 'sending' AND d.lease_until < \(databaseNow) AND d.channel = ANY(\(allowed))
                            ORDER BY d.lease_until LIMIT \(wanted) FOR UPDATE OF d SKIP LOCKED
                        )
                        SELECT p.id, a.step_key IS NOT NULL, s.until FROM picked p
                        LEFT JOIN acknowledgments a ON a.step_key = p.step_key
                        LEFT JOIN snoozes s ON s.step_key = p.step_key AND s.at <= \(due) AND s.until > \(due)
                        ORDER BY p.o1, p.o2
                        """ : """
                        WITH picked AS (
                            SELECT d.id, d.step_key, d.next_attempt_at AS o1, d.seq AS o2 FROM deliveries d
                            WHERE d.status = 'pending' AND d.next_attempt_at <= \(due) AND d.channel = ANY(\(allowed))
                            ORDER BY d.next_attempt_at, d.seq LIMIT \(wanted) FOR UPDATE OF d SKIP LOCKED
                        )
                        SELECT p.id, a.step_key IS NOT NULL, s.until FROM picked p
                        LEFT JOIN acknowledgments a ON a.step_key = p.step_key
                        LEFT JOIN snoozes s ON s.step_key = p.step_key AND s.at <= \(due) AND s.until > \(due)
                        ORDER BY p.o1, p.o2
                        """)
                    for try await (id, acknowledged, until) in rows.decode((String, Bool, Int64?).self) { candidates.append((id, acknowledged, until)) }
                }
                if candidates.isEmpty { break }
                let cancelled = candidates.filter(\.acknowledged).map(\.id)
                if !cancelled.isEmpty {
                    // Acknowledged before it went out: it is never sent.
                    try await connection.sql("""
                        UPDATE deliveries SET status = 'cancelled', updated_at = \(t), lease_holder = NULL, lease_token = NULL, lease_until = NULL WHERE id = ANY(\(cancelled))
                        """)
                }
                for candidate in candidates where !candidate.acknowledged {
                    if let until = candidate.snoozedUntil {
                        // Snoozed: it waits for the snooze to end.
                        try await connection.sql("""
                            UPDATE deliveries SET status = 'pending', next_attempt_at = \(until), updated_at = \(t), lease_holder = NULL, lease_token = NULL, lease_until = NULL
                            WHERE id = \(candidate.id)
                            """)
                    }
                }
                let taking = candidates.filter { !$0.acknowledged && $0.snoozedUntil == nil }.map(\.id)
                if taking.isEmpty { continue }
                var byID: [String: DeliveryRecord] = [:]
                let taken = try await connection.sql("""
                    UPDATE deliveries SET status = 'sending', attempts = attempts + 1, lease_holder = \(me), lease_token = \(me) || '#' || (attempts + 1),
                        lease_until = \(databaseNow + lease), updated_at = \(t)
                    WHERE id = ANY(\(taking))
                    RETURNING \(unescaped: Self.deliveryColumns)
                    """)
                for try await row in taken {
                    let record = try Self.deliveryRecord(row)
                    byID[record.id] = record
                }
                claimed += taking.compactMap { byID[$0] }
            }
            return (claimed, databaseNow)
        }
        callerAhead.store(max(0, t - databaseNow), ordering: .relaxed)
        held.withLock { held in for record in claimed { held[record.id] = "\(me)#\(record.attempts)" } }
        return claimed
    }

    public func record(_ attempts: [AttemptRecord]) async throws(StateStoreError) {
        guard !attempts.isEmpty else { return }
        let me = replicaID
        var w = JSONWriter(capacity: attempts.count * 300)
        w.beginArray()
        for a in attempts {
            let status: DeliveryStatus = switch a.outcome {
            case .delivered: .delivered
            case .retry: .pending
            case .dead, .gone: .dead
            }
            w.beginObject()
            w.field("delivery_id", a.deliveryID)
            w.field("number", a.number)
            w.field("token", "\(me)#\(a.number)")
            w.field("started_at", Int(a.startedAt.microsecondsSinceEpoch))
            w.field("finished_at", Int(a.finishedAt.microsecondsSinceEpoch))
            w.field("outcome", a.outcome.rawValue)
            w.optionalField("http_status", a.httpStatus)
            w.optionalField("smtp_reply", a.smtpReply)
            w.optionalField("curl_code", a.curlCode)
            w.optionalField("curl_error", a.curlError)
            w.field("latency_ms", a.latencyMilliseconds)
            w.optionalField("next_attempt_at", a.outcome == .retry ? a.nextAttemptAt.map { Int($0.microsecondsSinceEpoch) } : nil)
            w.optionalField("detail", a.detail)
            w.optionalField("last_error", a.outcome == .delivered ? nil : a.detail)
            w.field("status", status.rawValue)
            w.endObject()
        }
        w.endArray()
        let payload = String(decoding: w.bytes, as: UTF8.self)
        // Recorded or not, the dispatcher is done with these rows.
        defer { held.withLock { held in for a in attempts { held[a.deliveryID] = nil } } }
        let recorded: Set<String> = try await transaction("recording attempts") { connection in
            // Only where the row still carries this claim's token: a replica that lost its lease
            // (cut off, then back) records nothing over the replica that took the row since.
            let rows = try await connection.sql("""
                WITH input AS (
                    SELECT * FROM jsonb_to_recordset(\(payload)::jsonb) AS x(delivery_id text, number int, token text, started_at bigint, finished_at bigint,
                        outcome text, http_status int, smtp_reply text, curl_code int, curl_error text, latency_ms int, next_attempt_at bigint, detail text,
                        last_error text, status text)
                ), moved AS (
                    UPDATE deliveries d SET status = i.status, last_error = i.last_error, updated_at = i.finished_at,
                        -- A retry's time, moved back by as much as the caller's clock runs ahead of
                        -- the database's: a replica whose clock is ahead does not delay retries.
                        next_attempt_at = i.next_attempt_at - GREATEST(0, i.finished_at - compactd_now_us()),
                        lease_holder = NULL, lease_token = NULL, lease_until = NULL
                    FROM input i WHERE d.id = i.delivery_id AND d.status = 'sending' AND d.lease_token = i.token
                    RETURNING d.id
                )
                INSERT INTO attempts (delivery_id, number, started_at, finished_at, outcome, http_status, smtp_reply, curl_code, curl_error, latency_ms, next_attempt_at, detail, replica)
                SELECT i.delivery_id, i.number, i.started_at, i.finished_at, i.outcome, i.http_status, i.smtp_reply, i.curl_code, i.curl_error, i.latency_ms,
                    i.next_attempt_at, i.detail, \(me)
                FROM input i WHERE i.delivery_id IN (SELECT id FROM moved)
                ON CONFLICT (delivery_id, number) DO UPDATE SET finished_at = excluded.finished_at, outcome = excluded.outcome
                RETURNING delivery_id
                """)
            var recorded: Set<String> = []
            for try await id in rows.decode(String.self) { recorded.insert(id) }
            return recorded
        }
        for attempt in attempts where !recorded.contains(attempt.deliveryID) {
            // Fenced: another replica holds the row now and its outcome is the one that counts.
            logger.warning("outcome not recorded: lease lost", metadata: [
                "delivery": "\(attempt.deliveryID)", "attempt": "\(attempt.number)", "outcome": "\(attempt.outcome.rawValue)", "replica": "\(me)",
            ])
        }
    }

    public func release(ids: [String], now: Instant) async throws(StateStoreError) {
        guard !ids.isEmpty else { return }
        let (me, t) = (replicaID, now.microsecondsSinceEpoch)
        defer { held.withLock { held in for id in ids { held[id] = nil } } }
        try await perform("releasing unattempted deliveries") { client in
            try await client.sql("""
                UPDATE deliveries SET status = 'pending', attempts = GREATEST(0, attempts - 1), updated_at = \(t), lease_holder = NULL, lease_token = NULL, lease_until = NULL
                WHERE id = ANY(\(ids)) AND status = 'sending' AND lease_holder = \(me)
                """)
        }
    }

    /// Rows whose lease ran out (their replica died or lost the database) back to pending, due
    /// now, and this replica's own rows it no longer works on (their outcome could not be
    /// recorded). Live leases being worked on, this replica's or another's, are left alone.
    public func recoverInterrupted(now: Instant) async throws(StateStoreError) -> Int {
        let t = now.microsecondsSinceEpoch
        let (me, working) = (replicaID, held.withLock { Array($0.values) })
        return try await perform("recovering interrupted deliveries") { client in
            var count = 0
            let rows = try await client.sql("""
                WITH back AS (
                    UPDATE deliveries SET status = 'pending', next_attempt_at = LEAST(\(t), compactd_now_us()), updated_at = \(t),
                        lease_holder = NULL, lease_token = NULL, lease_until = NULL
                    WHERE status = 'sending' AND (lease_until < compactd_now_us() OR (lease_holder = \(me) AND NOT lease_token = ANY(\(working))))
                    RETURNING 1
                ) SELECT count(*) FROM back
                """)
            for try await n in rows.decode(Int.self) { count = n }
            return count
        }
    }

    /// The next instant, by the caller's clock, at which a claim could take something: a
    /// pending row's attempt time (later by as much as the caller's clock runs ahead), or another
    /// replica's lease running out.
    public func nextAttemptDue() async throws(StateStoreError) -> Instant? {
        let me = replicaID
        let ahead = callerAhead.load(ordering: .relaxed)
        let (pending, lease): (Int64?, Int64?) = try await perform("finding the next attempt") { client in
            var result: (Int64?, Int64?) = (nil, nil)
            let rows = try await client.sql("""
                SELECT (SELECT MIN(next_attempt_at) FROM deliveries d WHERE status = 'pending' AND NOT EXISTS (SELECT 1 FROM channel_state c WHERE c.channel = d.channel)),
                       (SELECT MIN(lease_until) FROM deliveries WHERE status = 'sending' AND lease_holder IS DISTINCT FROM \(me))
                """)
            for try await pair in rows.decode((Int64?, Int64?).self) { result = pair }
            return result
        }
        let candidates = [pending.map { $0 + ahead }, lease.map { $0 + ahead + 1 }].compactMap { $0 }
        return candidates.min().map(Instant.init(microsecondsSinceEpoch:))
    }

    public func oldestPendingSendAt() async throws(StateStoreError) -> Instant? {
        try await perform("finding the oldest pending delivery") { client in
            var oldest: Int64?
            for try await value in try await client.sql("SELECT MIN(send_at) FROM deliveries WHERE status IN ('pending', 'sending')").decode(Int64?.self) { oldest = value }
            return oldest.map(Instant.init(microsecondsSinceEpoch:))
        }
    }

    // MARK: - Operator actions

    public func plannerState() async throws(StateStoreError) -> PlannerState {
        try await perform("reading acknowledgments and snoozes") { client in
            var acks: [StepAcknowledgment] = []
            var snoozes: [StepSnooze] = []
            for try await (key, at, actor, note) in try await client.sql("SELECT step_key, at, actor, note FROM acknowledgments").decode((String, Int64, String?, String?).self) {
                acks.append(StepAcknowledgment(stepKey: key, at: Instant(microsecondsSinceEpoch: at), by: actor, note: note))
            }
            for try await (key, at, until, actor, note) in try await client.sql("SELECT step_key, at, until, actor, note FROM snoozes").decode((String, Int64, Int64, String?, String?).self) {
                snoozes.append(StepSnooze(stepKey: key, at: Instant(microsecondsSinceEpoch: at), until: Instant(microsecondsSinceEpoch: until), by: actor, note: note))
            }
            return PlannerState(acknowledgments: acks, snoozes: snoozes)
        }
    }

    static func insertEvent(_ connection: PostgresConnection, _ event: HistoryEvent) async throws {
        try await connection.sql("""
            INSERT INTO events (at, kind, compact_id, subject, detail, actor)
            VALUES (\(event.at.microsecondsSinceEpoch), \(event.kind), \(event.compactID), \(event.subject), \(event.detail), \(event.actor))
            """)
    }

    public func acknowledge(_ ack: StepAcknowledgment, compactID: String, source: String) async throws(StateStoreError) {
        try await transaction("acknowledging a step") { connection in
            var inserted = false
            let rows = try await connection.sql("""
                INSERT INTO acknowledgments (step_key, compact_id, at, actor, note, source) VALUES (\(ack.stepKey), \(compactID), \(ack.at.microsecondsSinceEpoch), \(ack.by), \(ack.note), \(source))
                ON CONFLICT (step_key) DO NOTHING RETURNING 1
                """)
            for try await _ in rows { inserted = true }
            guard inserted else { throw StateStoreError(code: .conflict, message: "\(ack.stepKey) is already acknowledged", operation: "acknowledging a step") }
            try await connection.sql("DELETE FROM snoozes WHERE step_key = \(ack.stepKey)")
            try await Self.insertEvent(connection, HistoryEvent(at: ack.at, kind: "acknowledged", compactID: compactID, subject: ack.stepKey, detail: ack.note, actor: ack.by))
            try await Self.notifyChange(connection, "acknowledged")
        }
    }

    public func unacknowledge(stepKey: String, compactID: String, by: String?, at: Instant, source: String) async throws(StateStoreError) {
        try await transaction("withdrawing an acknowledgment") { connection in
            var removed = false
            for try await _ in try await connection.sql("DELETE FROM acknowledgments WHERE step_key = \(stepKey) RETURNING 1") { removed = true }
            guard removed else { throw StateStoreError(code: .notFound, message: "\(stepKey) is not acknowledged", operation: "withdrawing an acknowledgment") }
            try await Self.insertEvent(connection, HistoryEvent(at: at, kind: "unacknowledged", compactID: compactID, subject: stepKey, detail: "via \(source)", actor: by))
            try await Self.notifyChange(connection, "unacknowledged")
        }
    }

    public func snooze(_ snooze: StepSnooze, compactID: String, source: String) async throws(StateStoreError) {
        try await transaction("snoozing a step") { connection in
            try await connection.sql("""
                INSERT INTO snoozes (step_key, compact_id, at, until, actor, note, source)
                VALUES (\(snooze.stepKey), \(compactID), \(snooze.at.microsecondsSinceEpoch), \(snooze.until.microsecondsSinceEpoch), \(snooze.by), \(snooze.note), \(source))
                ON CONFLICT (step_key) DO UPDATE SET at = excluded.at, until = excluded.until, actor = excluded.actor, note = excluded.note, source = excluded.source
                """)
            try await Self.insertEvent(connection, HistoryEvent(at: snooze.at, kind: "snoozed", compactID: compactID, subject: snooze.stepKey, detail: "until \(snooze.until.rfc3339UTC)" + (snooze.note.map { ": \($0)" } ?? ""), actor: snooze.by))
            try await Self.notifyChange(connection, "snoozed")
        }
    }

    public func unsnooze(stepKey: String, compactID: String, by: String?, at: Instant, source: String) async throws(StateStoreError) {
        let t = at.microsecondsSinceEpoch
        try await transaction("ending a snooze") { connection in
            var until: Int64?
            for try await value in try await connection.sql("SELECT until FROM snoozes WHERE step_key = \(stepKey) AND until > \(t) FOR UPDATE").decode(Int64.self) { until = value }
            guard let until else { throw StateStoreError(code: .notFound, message: "\(stepKey) is not snoozed", operation: "ending a snooze") }
            try await connection.sql("DELETE FROM snoozes WHERE step_key = \(stepKey)")
            // The notices the snooze held wait for its end (the claim moved them there): due now.
            try await connection.sql("UPDATE deliveries SET next_attempt_at = \(t), updated_at = \(t) WHERE step_key = \(stepKey) AND status = 'pending' AND next_attempt_at = \(until)")
            try await Self.insertEvent(connection, HistoryEvent(at: at, kind: "unsnoozed", compactID: compactID, subject: stepKey, detail: "snooze until \(Instant(microsecondsSinceEpoch: until).rfc3339UTC) ended early", actor: by))
            try await Self.notifyChange(connection, "unsnoozed")
        }
    }

    public func disableChannel(_ state: ChannelState) async throws(StateStoreError) {
        try await transaction("disabling a channel") { connection in
            var inserted = false
            for try await _ in try await connection.sql("""
                INSERT INTO channel_state (channel, disabled_at, reason) VALUES (\(state.channel), \(state.disabledAt.microsecondsSinceEpoch), \(state.reason))
                ON CONFLICT (channel) DO NOTHING RETURNING 1
                """) { inserted = true }
            // Two replicas meeting the same 410 record it once.
            if inserted {
                try await Self.insertEvent(connection, HistoryEvent(at: state.disabledAt, kind: "channel-disabled", compactID: nil, subject: state.channel, detail: state.reason))
            }
        }
    }

    public func enableChannel(_ channel: String, by: String?, at: Instant) async throws(StateStoreError) {
        try await transaction("re-enabling a channel") { connection in
            var removed = false
            for try await _ in try await connection.sql("DELETE FROM channel_state WHERE channel = \(channel) RETURNING 1") { removed = true }
            guard removed else { throw StateStoreError(code: .notFound, message: "channel \(channel) is not disabled", operation: "re-enabling a channel") }
            try await Self.insertEvent(connection, HistoryEvent(at: at, kind: "channel-enabled", compactID: nil, subject: channel, actor: by))
            try await Self.notifyChange(connection, "channel-enabled")
        }
    }

    public func disabledChannels() async throws(StateStoreError) -> [ChannelState] {
        try await perform("reading channel state") { client in
            var result: [ChannelState] = []
            for try await (channel, at, reason) in try await client.sql("SELECT channel, disabled_at, reason FROM channel_state ORDER BY channel").decode((String, Int64, String).self) {
                result.append(ChannelState(channel: channel, disabledAt: Instant(microsecondsSinceEpoch: at), reason: reason))
            }
            return result
        }
    }

    public func retryDead(ids: [String]?, channel: String?, by: String?, at: Instant) async throws(StateStoreError) -> Int {
        try await requeue(status: .dead, ids: ids, channel: channel, by: by, at: at, detail: nil)
    }

    public func resendMissed(id: String, by: String?, at: Instant) async throws(StateStoreError) -> Int {
        try await requeue(status: .missed, ids: [id], channel: nil, by: by, at: at, detail: "a missed notice resent under its identity")
    }

    /// Rows of one status back to pending, due now, each with a `retried` history event.
    private func requeue(status: DeliveryStatus, ids: [String]?, channel: String?, by: String?, at: Instant, detail: String?) async throws(StateStoreError) -> Int {
        let t = at.microsecondsSinceEpoch
        return try await transaction("retrying deliveries") { connection in
            var targets: [(String, String)] = []
            let rows = try await connection.sql("""
                UPDATE deliveries SET status = 'pending', next_attempt_at = \(t), updated_at = \(t)
                WHERE status = \(status.rawValue) AND (\(ids == nil) OR id = ANY(\(ids ?? []))) AND (\(channel == nil) OR channel = \(channel ?? ""))
                RETURNING id, compact_id
                """)
            for try await (id, compactID) in rows.decode((String, String).self) { targets.append((id, compactID)) }
            for (id, compactID) in targets.sorted(by: { $0.0 < $1.0 }) {
                try await Self.insertEvent(connection, HistoryEvent(at: at, kind: "retried", compactID: compactID, subject: id, detail: detail, actor: by))
            }
            if !targets.isEmpty { try await Self.notifyChange(connection, "retried") }
            return targets.count
        }
    }

    // MARK: - Reading

    static let deliveryColumns = "id, step_key, channel, contact, send_at, status, attempts, next_attempt_at, last_error, created_at, updated_at, snapshot"
    static let attemptColumns = "delivery_id, number, started_at, finished_at, outcome, http_status, smtp_reply, curl_code, curl_error, latency_ms, next_attempt_at, detail"

    static func deliveryRecord(_ row: PostgresRow) throws -> DeliveryRecord {
        let (id, step, channel, contact, sendAt, status, attempts, next, lastError, created, updated, snapshotText) =
            try row.decode((String, String, String, String?, Int64, String, Int, Int64?, String?, Int64, Int64, String).self)
        let (snapshot, damage) = SQLiteStateStore.decodeChecked(snapshotText)
        return DeliveryRecord(
            id: id, stepKey: step, channel: channel, contact: contact, sendAt: Instant(microsecondsSinceEpoch: sendAt),
            status: DeliveryStatus(rawValue: status) ?? .pending, attempts: attempts, nextAttemptAt: next.map(Instant.init(microsecondsSinceEpoch:)),
            lastError: lastError, createdAt: Instant(microsecondsSinceEpoch: created), updatedAt: Instant(microsecondsSinceEpoch: updated),
            snapshot: snapshot, snapshotDamage: damage
        )
    }

    static func attemptRecord(_ row: PostgresRow) throws -> AttemptRecord {
        let (id, number, started, finished, outcome, http, smtp, curl, curlError, latency, next, detail) =
            try row.decode((String, Int, Int64, Int64, String, Int?, String?, Int?, String?, Int, Int64?, String?).self)
        return AttemptRecord(
            deliveryID: id, number: number, startedAt: Instant(microsecondsSinceEpoch: started), finishedAt: Instant(microsecondsSinceEpoch: finished),
            outcome: AttemptOutcome(rawValue: outcome) ?? .retry, httpStatus: http, smtpReply: smtp, curlCode: curl, curlError: curlError,
            latencyMilliseconds: latency, nextAttemptAt: next.map(Instant.init(microsecondsSinceEpoch:)), detail: detail
        )
    }

    func deliveries(_ operation: String, _ query: PostgresQuery) async throws(StateStoreError) -> [DeliveryRecord] {
        try await perform(operation) { client in
            var result: [DeliveryRecord] = []
            for try await row in try await client.sql(query) { result.append(try Self.deliveryRecord(row)) }
            return result
        }
    }

    func attempts(_ operation: String, _ query: PostgresQuery) async throws(StateStoreError) -> [AttemptRecord] {
        try await perform(operation) { client in
            var result: [AttemptRecord] = []
            for try await row in try await client.sql(query) { result.append(try Self.attemptRecord(row)) }
            return result
        }
    }

    public func writtenIDs(sendAtFrom: Instant) async throws(StateStoreError) -> Set<String> {
        try await perform("reading the outbox") { client in
            var ids: Set<String> = []
            for try await id in try await client.sql("SELECT id FROM deliveries WHERE send_at >= \(sendAtFrom.microsecondsSinceEpoch)").decode(String.self) { ids.insert(id) }
            return ids
        }
    }

    public func delivery(id: String) async throws(StateStoreError) -> DeliveryRecord? {
        try await deliveries("reading a delivery", "SELECT \(unescaped: Self.deliveryColumns) FROM deliveries WHERE id = \(id)").first
    }

    public func deliveries(status: DeliveryStatus?, channel: String?, limit: Int) async throws(StateStoreError) -> [DeliveryRecord] {
        try await deliveries("reading deliveries", """
            SELECT \(unescaped: Self.deliveryColumns) FROM deliveries
            WHERE (\(status == nil) OR status = \(status?.rawValue ?? "")) AND (\(channel == nil) OR channel = \(channel ?? ""))
            ORDER BY send_at, id LIMIT \(limit)
            """)
    }

    public func attempts(deliveryID: String?, since: Instant?, limit: Int) async throws(StateStoreError) -> [AttemptRecord] {
        try await attempts("reading attempts", """
            SELECT \(unescaped: Self.attemptColumns) FROM attempts
            WHERE (\(deliveryID == nil) OR delivery_id = \(deliveryID ?? "")) AND finished_at >= \(since?.microsecondsSinceEpoch ?? Int64.min)
            ORDER BY finished_at, delivery_id, number LIMIT \(limit)
            """)
    }

    public func history(compactID: String?, since: Instant?, kinds: Set<String>?, limit: Int) async throws(StateStoreError) -> [HistoryEvent] {
        let kindList = kinds.flatMap { $0.isEmpty ? nil : $0.sorted() }
        return try await perform("reading the history") { client in
            var result: [HistoryEvent] = []
            let rows = try await client.sql("""
                SELECT seq, at, kind, compact_id, subject, detail, actor FROM events
                WHERE (\(compactID == nil) OR compact_id = \(compactID ?? "")) AND at >= \(since?.microsecondsSinceEpoch ?? Int64.min)
                  AND (\(kindList == nil) OR kind = ANY(\(kindList ?? [])))
                ORDER BY at DESC, seq DESC LIMIT \(limit)
                """)
            for try await (seq, at, kind, compact, subject, detail, actor) in rows.decode((Int64, Int64, String, String?, String, String?, String?).self) {
                result.append(HistoryEvent(sequence: seq, at: Instant(microsecondsSinceEpoch: at), kind: kind, compactID: compact, subject: subject, detail: detail, actor: actor))
            }
            return result.reversed()
        }
    }

    public func recentDeliveries(compactID: String?, since: Instant?, limit: Int) async throws(StateStoreError) -> [DeliveryRecord] {
        try await deliveries("reading recent deliveries", """
            SELECT \(unescaped: Self.deliveryColumns) FROM deliveries
            WHERE (\(compactID == nil) OR compact_id = \(compactID ?? "")) AND created_at >= \(since?.microsecondsSinceEpoch ?? Int64.min)
            ORDER BY created_at DESC, id DESC LIMIT \(limit)
            """).reversed()
    }

    public func recentAttempts(compactID: String?, since: Instant?, limit: Int) async throws(StateStoreError) -> [AttemptRecord] {
        try await attempts("reading recent attempts", """
            SELECT \(unescaped: Self.attemptColumns.split(separator: ",").map { "a." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")) FROM attempts a
            WHERE (\(compactID == nil) OR EXISTS (SELECT 1 FROM deliveries d WHERE d.id = a.delivery_id AND d.compact_id = \(compactID ?? "")))
              AND a.finished_at >= \(since?.microsecondsSinceEpoch ?? Int64.min)
            ORDER BY a.finished_at DESC, a.delivery_id DESC, a.number DESC LIMIT \(limit)
            """).reversed()
    }

    public func lastDeliveredByCompact() async throws(StateStoreError) -> [String: Instant] {
        try await perform("finding the last contact") { client in
            var result: [String: Instant] = [:]
            for try await (compact, at) in try await client.sql("SELECT compact_id, MAX(updated_at) FROM deliveries WHERE status = 'delivered' GROUP BY compact_id").decode((String, Int64).self) {
                result[compact] = Instant(microsecondsSinceEpoch: at)
            }
            return result
        }
    }

    public func lastContactByCompact() async throws(StateStoreError) -> [String: Instant] {
        try await perform("finding the last contact") { client in
            var result: [String: Instant] = [:]
            let rows = try await client.sql("""
                SELECT compact_id, MAX(at) FROM (
                    SELECT compact_id, updated_at AS at FROM deliveries WHERE status = 'delivered' AND contact IS NOT NULL
                    UNION ALL SELECT compact_id, at FROM acknowledgments WHERE note IS NOT NULL AND note <> ''
                ) contact GROUP BY compact_id
                """)
            for try await (compact, at) in rows.decode((String, Int64).self) { result[compact] = Instant(microsecondsSinceEpoch: at) }
            return result
        }
    }

    public func channelSummaries() async throws(StateStoreError) -> [ChannelSummary] {
        try await perform("summarizing channels") { client in
            var summaries: [String: ChannelSummary] = [:]
            let counts = try await client.sql("SELECT channel, status, count(*), count(*) FILTER (WHERE attempts > 0) FROM deliveries GROUP BY channel, status")
            for try await (channel, status, count, tried) in counts.decode((String, String, Int, Int).self) {
                var summary = summaries[channel] ?? ChannelSummary(channel: channel)
                if let status = DeliveryStatus(rawValue: status) {
                    summary.counts[status] = count
                    if status == .pending { summary.retrying = tried }
                }
                summaries[channel] = summary
            }
            let last = try await client.sql("""
                SELECT d.channel, MAX(a.finished_at) FILTER (WHERE a.outcome = 'delivered'), MAX(a.finished_at) FILTER (WHERE a.outcome <> 'delivered'),
                    (array_agg(a.detail ORDER BY a.finished_at DESC) FILTER (WHERE a.outcome <> 'delivered'))[1]
                FROM attempts a JOIN deliveries d ON d.id = a.delivery_id GROUP BY d.channel
                """)
            for try await (channel, success, failure, detail) in last.decode((String, Int64?, Int64?, String?).self) {
                var summary = summaries[channel] ?? ChannelSummary(channel: channel)
                summary.lastSuccess = success.map(Instant.init(microsecondsSinceEpoch:))
                summary.lastFailure = failure.map(Instant.init(microsecondsSinceEpoch:))
                summary.lastFailureDetail = detail
                summaries[channel] = summary
            }
            return summaries.values.sorted { $0.channel < $1.channel }
        }
    }

    public func replicas() async throws(StateStoreError) -> [ReplicaRecord] {
        try await perform("reading the replicas") { client in
            var result: [ReplicaRecord] = []
            let rows = try await client.sql("""
                SELECT r.id, r.host, r.pid, r.version, r.started_at, r.heartbeat_at, r.stopped_at,
                    (SELECT count(*) FROM deliveries d WHERE d.status = 'sending' AND d.lease_holder = r.id), compactd_now_us()
                FROM replicas r ORDER BY r.host, r.started_at
                """)
            for try await (id, host, pid, version, started, heartbeat, stopped, holding, now) in rows.decode((String, String, Int, String, Int64, Int64, Int64?, Int, Int64).self) {
                result.append(ReplicaRecord(
                    id: id, host: host, pid: pid, version: version, startedAt: Instant(microsecondsSinceEpoch: started),
                    heartbeatAt: Instant(microsecondsSinceEpoch: heartbeat), stoppedAt: stopped.map(Instant.init(microsecondsSinceEpoch:)),
                    holding: holding, readAt: Instant(microsecondsSinceEpoch: now)
                ))
            }
            return result
        }
    }

    /// Whether a write would succeed now (a primary that answers, not a read-only standby),
    /// writing nothing.
    public func probeWrite() async throws(StateStoreError) {
        try await transaction("probing for writes") { connection in
            try await connection.sql("SET TRANSACTION READ WRITE")
            try await connection.sql("SELECT 1 FROM compactd_schema FOR UPDATE")
        }
    }

    /// The outbox's own rules, checked: known statuses only, a lease on every row being sent and
    /// on no other, an attempt row for no unknown delivery (the foreign key keeps that).
    public func integrityProblems() async throws(StateStoreError) -> String? {
        try await perform("checking integrity") { client in
            var problems: [String] = []
            let rows = try await client.sql("""
                SELECT 'status', count(*) FROM deliveries WHERE status NOT IN ('pending', 'sending', 'delivered', 'dead', 'cancelled', 'missed')
                UNION ALL SELECT 'sending without a lease', count(*) FROM deliveries WHERE status = 'sending' AND (lease_token IS NULL OR lease_until IS NULL)
                UNION ALL SELECT 'lease on a row not being sent', count(*) FROM deliveries WHERE status <> 'sending' AND lease_token IS NOT NULL
                UNION ALL SELECT 'pending without an attempt time', count(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at IS NULL
                """)
            for try await (what, count) in rows.decode((String, Int).self) where count > 0 { problems.append("\(count) rows: \(what)") }
            return problems.isEmpty ? nil : problems.joined(separator: "; ")
        }
    }
}

extension JSONWriter {
    mutating func optionalField(_ name: String, _ text: String?) {
        key(name)
        if let text { value(text) } else { null() }
    }

    mutating func optionalField(_ name: String, _ number: Int?) {
        key(name)
        if let number { value(number) } else { null() }
    }
}

extension PostgresConnection {
    /// A query with compactd's quiet logger (the store logs what matters itself).
    @discardableResult
    func sql(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await self.query(query, logger: PostgresStateStore.queryLogger)
    }
}

extension PostgresClient {
    @discardableResult
    func sql(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await self.query(query, logger: PostgresStateStore.queryLogger)
    }
}
