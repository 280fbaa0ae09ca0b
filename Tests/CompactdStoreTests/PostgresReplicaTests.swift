import CompactdCore
@testable import CompactdPostgres
import CompactdStore
import CompactdTestSupport
import Foundation
import Testing

/// What only a shared PostgreSQL state has: several replicas at once. Each test takes a fresh
/// database on the test process's real server and reads the rows back with psql.
@Suite("PostgreSQL replicas")
struct PostgresReplicaTests {
    typealias F = StoreFixture

    static func fixture() throws -> StoreFixture { try StoreFixture(.postgresql) }

    @Test("two replicas claiming at once take disjoint rows, and every row once")
    func skipLocked() async throws {
        let fixture = try Self.fixture()
        defer { fixture.close() }
        let a = try fixture.openReplica(), b = try fixture.openReplica()
        let rows = (0..<400).map { F.delivery(String(format: "d%03d", $0), at: 100) }
        try await a.enqueue(rows, now: Instant(secondsSinceEpoch: 0))
        let now = Instant(secondsSinceEpoch: 1000)
        async let takenByA = Self.drain(a, now: now)
        async let takenByB = Self.drain(b, now: now)
        let (fromA, fromB) = try await (takenByA, takenByB)
        #expect(Set(fromA).isDisjoint(with: Set(fromB)))
        #expect(Set(fromA).union(fromB) == Set(rows.map(\.id)))
        #expect(fromA.count + fromB.count == 400)
        // Both took part (skip locked, not one waiting for the other's whole run).
        #expect(!fromA.isEmpty && !fromB.isEmpty)
    }

    static func drain(_ store: PostgresStateStore, now: Instant) async throws -> [String] {
        var taken: [String] = []
        while true {
            let batch = try await store.claimDue(now: now, limit: 7, channels: ["hook"])
            if batch.isEmpty { return taken }
            taken += batch.map(\.id)
        }
    }

    @Test("a live lease is not taken; a lapsed one is, and the old holder's outcome is fenced out")
    func fencing() async throws {
        let fixture = try Self.fixture()
        defer { fixture.close() }
        let cutOff = try fixture.openReplica(leaseSeconds: 0)
        let other = try fixture.openReplica(leaseSeconds: 30)
        try await cutOff.enqueue([F.delivery("f")], now: Instant(secondsSinceEpoch: 0))
        let first = try await cutOff.claimDue(now: Instant(secondsSinceEpoch: 1000), limit: 1, channels: ["hook"])
        #expect(first.map(\.id) == ["f"])
        // Its lease (0 s) has lapsed: the other replica takes the row, attempt 2, its own lease.
        let second = try await other.claimDue(now: Instant(secondsSinceEpoch: 1001), limit: 1, channels: ["hook"])
        #expect(second.map(\.id) == ["f"])
        #expect(second.first?.attempts == 2)
        // The other's lease is live: the first gets nothing back.
        #expect(try await cutOff.claimDue(now: Instant(secondsSinceEpoch: 1002), limit: 1, channels: ["hook"]).isEmpty)
        #expect(try await cutOff.recoverInterrupted(now: Instant(secondsSinceEpoch: 1002)) == 0)
        // The cut-off replica comes back with its outcome: not recorded.
        try await cutOff.record([AttemptRecord(deliveryID: "f", number: 1, startedAt: Instant(secondsSinceEpoch: 1000), finishedAt: Instant(secondsSinceEpoch: 1003), outcome: .dead, httpStatus: 400, latencyMilliseconds: 1, detail: "HTTP 400")])
        let database = try #require(fixture.database).name
        let server = try PostgresServer.shared()
        #expect(try server.psql(database, "SELECT status, lease_holder FROM deliveries WHERE id = 'f'").trimmingCharacters(in: .whitespacesAndNewlines) == "sending\t\(other.replicaID)")
        #expect(try server.psql(database, "SELECT count(*) FROM attempts").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        // The holder's outcome is.
        try await other.record([AttemptRecord(deliveryID: "f", number: 2, startedAt: Instant(secondsSinceEpoch: 1001), finishedAt: Instant(secondsSinceEpoch: 1004), outcome: .delivered, httpStatus: 204, latencyMilliseconds: 1)])
        #expect(try server.psql(database, "SELECT status, lease_holder IS NULL FROM deliveries WHERE id = 'f'").trimmingCharacters(in: .whitespacesAndNewlines) == "delivered\tt")
        #expect(try server.psql(database, "SELECT number, outcome, replica FROM attempts").trimmingCharacters(in: .whitespacesAndNewlines) == "2\tdelivered\t\(other.replicaID)")
        #expect(try await other.integrityProblems() == nil)
    }

    @Test("a heartbeat renews the replica's leases and lists it, holding what it claimed")
    func heartbeatRenews() async throws {
        let fixture = try Self.fixture()
        defer { fixture.close() }
        let replica = try fixture.openReplica(leaseSeconds: 5)
        try await replica.enqueue([F.delivery("h")], now: Instant(secondsSinceEpoch: 0))
        _ = try await replica.claimDue(now: Instant(secondsSinceEpoch: 1000), limit: 1, channels: ["hook"])
        let database = try #require(fixture.database).name
        let server = try PostgresServer.shared()
        let before = try #require(Int64(server.psql(database, "SELECT lease_until FROM deliveries").trimmingCharacters(in: .whitespacesAndNewlines)))
        try await replica.heartbeat()
        let after = try #require(Int64(server.psql(database, "SELECT lease_until FROM deliveries").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(after > before)
        let listed = try await replica.replicas()
        #expect(listed.map(\.id) == [replica.replicaID])
        #expect(listed.first?.holding == 1)
        #expect(listed.first?.pid == Int(getpid()))
        #expect(listed.first?.stoppedAt == nil)
    }

    @Test("a heartbeat that commits after the replica recorded its stop leaves it stopped")
    func lateHeartbeatAfterStop() async throws {
        let fixture = try Self.fixture()
        defer { fixture.close() }
        let replica = try fixture.openReplica()
        try await replica.heartbeat()
        await replica.markStopped()
        // At the stop the heartbeat task is cancelled, but a transaction it began may still
        // commit on the server afterwards (seen once in the replica chaos run: 2 of 3 listed
        // stopped).
        try await replica.heartbeat()
        let listed = try await replica.replicas()
        #expect(listed.count == 1)
        #expect(listed.first?.stoppedAt != nil, "\(listed)")
    }

    @Test("a replica whose clock runs ahead does not send early, and wakes when the row is due by the database's clock")
    func clockAhead() async throws {
        let fixture = try Self.fixture()
        defer { fixture.close() }
        let replica = try fixture.openReplica()
        let real = Instant.now
        let due = Instant(microsecondsSinceEpoch: real.microsecondsSinceEpoch + 60_000_000)
        try await replica.enqueue([F.delivery("early", at: due.secondsSinceEpoch)], now: real)
        // Two minutes ahead: by its own clock the row is a minute overdue; by the database's
        // it is a minute away.
        let ahead = Instant(microsecondsSinceEpoch: real.microsecondsSinceEpoch + 120_000_000)
        let before = Instant.now
        #expect(try await replica.claimDue(now: ahead, limit: 10, channels: ["hook"]).isEmpty)
        let after = Instant.now
        // Its next wake, on its own clock: the due time plus how far ahead it ran at the claim
        // (`ahead` against the database's clock, which is this machine's, read between
        // `before` and `after`).
        let next = try #require(try await replica.nextAttemptDue())
        let dueMicroseconds = Instant(secondsSinceEpoch: due.secondsSinceEpoch).microsecondsSinceEpoch
        let earliest = dueMicroseconds + (ahead.microsecondsSinceEpoch - after.microsecondsSinceEpoch)
        let latest = dueMicroseconds + (ahead.microsecondsSinceEpoch - before.microsecondsSinceEpoch)
        #expect(next.microsecondsSinceEpoch >= earliest - 1_000 && next.microsecondsSinceEpoch <= latest + 1_000, "\(next) not within \(earliest)...\(latest)")
        // The same row in SQLite, given the same "now", is taken: the database's clock is what differs.
        let sqlite = try StoreFixture(.sqlite).open()
        try await sqlite.enqueue([F.delivery("early", at: due.secondsSinceEpoch)], now: real)
        #expect(try await sqlite.claimDue(now: ahead, limit: 10, channels: ["hook"]).map(\.id) == ["early"])
    }

    @Test("replicas starting together migrate once; a schema newer than the build is refused")
    func migrationRace() async throws {
        let fixture = try Self.fixture()
        defer { fixture.close() }
        let replicas = try (0..<4).map { _ in try fixture.openReplica() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for replica in replicas { group.addTask { try await replica.prepare() } }
            try await group.waitForAll()
        }
        let database = try #require(fixture.database).name
        let server = try PostgresServer.shared()
        #expect(try server.psql(database, "SELECT version FROM compactd_schema").trimmingCharacters(in: .whitespacesAndNewlines) == String(PostgresSchema.migrations.count))
        _ = try server.psql(database, "UPDATE compactd_schema SET version = 99")
        let late = try fixture.openReplica()
        do {
            try await late.prepare()
            Issue.record("a replica older than the schema must refuse to run")
        } catch {
            #expect(error.code == .migration)
            #expect(error.description.contains("newer than this build knows"))
        }
    }

    @Test("compactctl's handle never migrates: on an empty database it says to start a replica")
    func clientDoesNotMigrate() async throws {
        let fixture = try Self.fixture()
        defer { fixture.close() }
        let url = try #require(fixture.database).url
        let client = try PostgresStateStore(settings: StoreFixture.settings(url), password: nil, access: .client)
        let task = Task { await client.runConnections() }
        defer { task.cancel() }
        do {
            _ = try await client.plannerState()
            Issue.record("a client must not read a database without compactd's schema")
        } catch {
            #expect(error.code == .migration)
            #expect(error.description.contains("start a compactd replica"))
        }
        let server = try PostgresServer.shared()
        #expect(try server.psql(try #require(fixture.database).name, "SELECT to_regclass('deliveries') IS NULL").trimmingCharacters(in: .whitespacesAndNewlines) == "t")
    }

    @Test("an acknowledgment made by one replica wakes the others (LISTEN/NOTIFY)")
    func notifyWakes() async throws {
        let fixture = try Self.fixture()
        defer { fixture.close() }
        let url = try #require(fixture.database).url
        let listener = try PostgresStateStore(settings: StoreFixture.settings(url), password: nil)
        let running = Task { try await listener.run() }
        defer { running.cancel() }
        try await listener.prepare()
        let writer = try fixture.openReplica()
        let notifications = try #require(listener.changeNotifications)
        // Wait until the listener listens (its heartbeat row shows it is running), then write.
        var listening = false
        for _ in 0..<200 where !listening {
            listening = try PostgresServer.shared().psql(try #require(fixture.database).name, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'")
                .trimmingCharacters(in: .whitespacesAndNewlines) != "0"
            if !listening { try await Task.sleep(for: .milliseconds(25)) }
        }
        #expect(listening)
        try await writer.acknowledge(StepAcknowledgment(stepKey: "bell/summer/2025-05-01/kickoff", at: Instant.now, by: "ops"), compactID: "bell", source: "compactctl")
        let woke = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                var iterator = notifications.makeAsyncIterator()
                return await iterator.next() != nil
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(5))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(woke)
    }

    @Test("a database that cannot be reached is .unavailable within the timeout, not a hang")
    func unreachable() async throws {
        var settings = try StoreFixture.settings("postgres://compactd@127.0.0.1:9/none?sslmode=disable")
        settings.timeoutSeconds = 2
        let store = try PostgresStateStore(settings: settings, password: nil)
        let task = Task { await store.runConnections() }
        defer { task.cancel() }
        let started = ContinuousClock.now
        do {
            _ = try await store.nextAttemptDue()
            Issue.record("a store without a database must fail")
        } catch {
            #expect(error.code == .unavailable)
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("a query the database does not answer (its table locked by another session) is .unavailable at the timeout, while the lock is still held")
    func unansweredQuery() async throws {
        let fixture = try Self.fixture()
        defer { fixture.close() }
        let server = try PostgresServer.shared()
        let database = fixture.database!.name
        var settings = try StoreFixture.settings(fixture.database!.url)
        settings.timeoutSeconds = 2
        let store = try PostgresStateStore(settings: settings, password: nil)
        let connections = Task { await store.runConnections() }
        defer { connections.cancel() }
        _ = try await store.nextAttemptDue()  // the schema, migrated and checked

        // Another session holds the table for up to a minute: the store's query is sent and
        // then waits on the server, where postgres-nio cannot cancel it.
        let lock = try server.holdLock(on: ["deliveries"], in: database, seconds: 60)
        #expect(lock.granted, "the other session never took the lock")

        var answered: StateStoreError?
        do {
            _ = try await store.nextAttemptDue()
            Issue.record("a locked table cannot answer")
        } catch {
            answered = error
        }
        // Still held when the store answered: the answer came at the timeout, not at the lock's end.
        let stillLocked = lock.isHeld
        lock.release()
        #expect(stillLocked, "the store answered only once the lock was gone")
        #expect(answered?.code == .unavailable)
        #expect(answered?.message == "the database did not answer in time", "\(String(describing: answered))")
        // The abandoned query ends with the lock; the store answers again.
        #expect(try await store.nextAttemptDue() == nil)
    }
}

/// TLS to the database as `sslmode` says, verified by default, against a real PostgreSQL
/// serving a certificate from the test's own authority.
@Suite("PostgreSQL TLS")
struct PostgresTLSTests {
    @Test("no sslmode means verify-full: with the authority that signed the certificate it connects over TLS, with the system's roots it is refused; require encrypts without checking")
    func verifiedByDefault() async throws {
        let authority = try TestCertificateAuthority()
        let server = try PostgresServer.privateServer(tlsCertificate: authority.serverCertificate, tlsKey: authority.serverKey)
        defer { try? server.stop() }
        let database = try server.makeDatabase("tls")
        /// Connects and migrates; nil, or why it could not. `whileOpen` runs with the
        /// connection still open.
        func attempt(_ url: String, caFile: String?, whileOpen: () throws -> Void = {}) async -> StateStoreError? {
            do {
                var settings = try PostgresURL.parse(url).get()
                settings.caFile = caFile
                settings.timeoutSeconds = 5
                let store = try PostgresStateStore(settings: settings, password: nil)
                let task = Task { await store.runConnections() }
                defer { task.cancel() }
                try await store.prepare()
                try whileOpen()
                return nil
            } catch let error as StateStoreError {
                return error
            } catch {
                return StateStoreError(code: .other, message: "\(error)", operation: "test")
            }
        }
        let base = "postgres://compactd@127.0.0.1:\(server.port)/\(database.name)"
        // No sslmode: verify-full. With the authority that signed the server's certificate, it
        // works, and the server says the connection is encrypted (read with psql, as it sees it).
        var encrypted = ""
        #expect(await attempt(base, caFile: authority.caCertificate) {
            encrypted = try server.psql(database.name, "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'compactd' AND s.ssl")
        } == nil)
        #expect((Int(encrypted.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= 1, "\(encrypted)")
        // With the system's roots, the test's authority is unknown: refused.
        let unknown = await attempt(base, caFile: nil)
        #expect(unknown != nil)
        // sslmode=require encrypts without checking: it connects even so (what libpq's require does).
        #expect(await attempt(base + "?sslmode=require", caFile: nil) == nil)
    }
}
