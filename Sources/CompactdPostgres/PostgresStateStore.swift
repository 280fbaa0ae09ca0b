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
    /// How many appended count changes a read adds up before it folds them
    /// (`foldCountChanges`); tests lower it to fold often.
    let countChangesFoldThreshold = Atomic<Int>(2_000)
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

    /// - Parameter logger: where the store and postgres-nio's pool say what happens (the
    ///   daemon passes its journal logger); by default nowhere.
    public init(settings: PostgresSettings, password: String?, access: Access = .replica, version: String = CompactdVersion.current,
                logger: Logger = Logger(label: "compactd.postgres", factory: { _ in SwiftLogNoOpLogHandler() })) throws(StateStoreError) {
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
            // Not a task group racing a sleep: the group would wait for a query postgres-nio
            // cannot cancel (AbandonableCall says when that happens).
            return try await AbandonableCall.run(seconds: Double(timeout)) { try await body(client) }
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

    /// One heartbeat: the replica's row, and its leases pushed a lease further. It never clears
    /// `stopped_at`: an id is one process's, and a heartbeat abandoned at the stop (cancelled, or
    /// past the timeout) may still commit on the server after `markStopped` did.
    public func heartbeat() async throws(StateStoreError) {
        let (id, host, pid, version, started, lease) = (replicaID, host, Int(getpid()), version, startedAt.microsecondsSinceEpoch, leaseMicroseconds)
        let tokens = held.withLock { Array($0.values) }
        try await transaction("recording the replica's heartbeat") { connection in
            try await connection.sql("""
                INSERT INTO replicas (id, host, pid, version, started_at, heartbeat_at) VALUES (\(id), \(host), \(pid), \(version), \(started), compactd_now_us())
                ON CONFLICT (id) DO UPDATE SET heartbeat_at = compactd_now_us()
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
}
