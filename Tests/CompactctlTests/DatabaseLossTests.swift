import CompactdCore
import CompactdTestSupport
import Foundation
import Testing

/// A replica whose PostgreSQL goes away (stopped outright, as when its host dies) and comes
/// back: it says it is degraded (STATUS, journal, /readyz), sends nothing it could not record
/// meanwhile, and recovers by itself, sending what fell due once.
@Suite("database loss", .serialized)
struct DatabaseLossTests {
    /// Waits (bounded) until `condition` holds; whether it did.
    static func wait(_ seconds: Int, until condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(TimeInterval(seconds))
        while Date() < end {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }

    @Test("PostgreSQL stopped: degraded in STATUS, the log and /readyz, nothing sent; started again: recovered, the notice sent once")
    func databaseGoesAwayAndComesBack() throws {
        let server = try PostgresServer.privateServer()
        let database = try server.makeDatabase("loss")
        let fixture = try DeadlineFixture(deadlinesInSeconds: [("during", 12)])
        defer { fixture.remove() }
        let port = try HTTPLoopFixture.freePort()
        let key = fixture.directory.appendingPathComponent("link.key").path
        let token = fixture.directory.appendingPathComponent("status.token").path
        try "k3y-for-the-test-0123456789abcdef0123456789".write(toFile: key, atomically: true, encoding: .utf8)
        try "status-token-for-the-test-0123456789".write(toFile: token, atomically: true, encoding: .utf8)
        chmod(key, 0o600)
        chmod(token, 0o600)
        try fixture.usePostgres(database.url, more: """
            lease = "3s"
            timeout = "2s"
            [http]
            listen = "127.0.0.1:\(port)"
            link_key_files = ["\(key)"]
            status_token_file = "\(token)"
            """)
        let log = fixture.directory.appendingPathComponent("compactd.log").path
        let daemon = try RunningDaemonTests.Daemon(fixture, log: log)
        defer { daemon.stop() }
        var environment = fixture.environment
        environment["COMPACTD_CONTROL_SOCKET"] = fixture.directory.appendingPathComponent("control.sock").path
        func readyz() -> Int {
            let result = try? CommandRunner.runProgram("/usr/bin/curl", ["-s", "-o", "/dev/null", "--max-time", "10", "-w", "%{http_code}", "http://127.0.0.1:\(port)/readyz"])
            return Int(result?.stdout ?? "") ?? 0
        }
        func daemonStatus() -> String {
            let run = try? CommandRunner.run("compactctl", ["status", "-o", "json"], environment: environment)
            let object = (try? JSONSerialization.jsonObject(with: Data((run?.stdout ?? "").utf8))) as? [String: Any]
            return object?["status"] as? String ?? ""
        }
        #expect(Self.wait(20) { readyz() == 200 }, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")

        try server.stop()
        let stoppedAt = Date()
        #expect(Self.wait(20) { readyz() == 503 })
        #expect(Self.wait(30) { daemonStatus().hasPrefix("degraded") }, "\(daemonStatus())")
        // Past the deadline's due time with no database: nothing goes out.
        let dueAt = Date().addingTimeInterval(max(0, 12 - Date().timeIntervalSince(stoppedAt)))
        while Date() < dueAt.addingTimeInterval(3) { usleep(200_000) }
        #expect(RecordedRequest.load(fixture.record).isEmpty)

        try server.startAgain()
        RunningDaemonTests.waitForRequests(fixture, count: 1, seconds: 60)
        #expect(RunningDaemonTests.received(fixture).count == 1)
        #expect(Self.wait(30) { !daemonStatus().hasPrefix("degraded") && readyz() == 200 }, "\(daemonStatus())")
        // And only once, after a moment for a second copy to show up if one were coming.
        usleep(1_500_000)
        #expect(RecordedRequest.load(fixture.record).count == 1)
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(text.contains("state store unavailable"), "\(text)")
        #expect(text.contains("state store available again"), "\(text)")
    }

    @Test("a replica whose query the database holds (its tables locked by another session) stops on SIGTERM without waiting for the query")
    func stopsWhileAQueryIsHeld() throws {
        let server = try PostgresServer.shared()
        let database = try server.makeDatabase("held")
        let fixture = try DeadlineFixture(deadlinesInSeconds: [("later", 3600)])
        defer { fixture.remove() }
        try fixture.usePostgres(database.url, more: "lease = \"3s\"\ntimeout = \"2s\"\n")
        let log = fixture.directory.appendingPathComponent("compactd.log").path
        let daemon = try RunningDaemonTests.Daemon(fixture, log: log)
        defer { daemon.stop() }
        func logText() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        func count(_ sql: String) -> Int { Int((try? server.psql(database.name, sql))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1 }
        // Running: its replica row is written (the schema is migrated, heartbeats go on).
        #expect(Self.wait(30) { count("SELECT count(*) FROM replicas WHERE stopped_at IS NULL") == 1 }, "\(logText())")

        // Another session holds the replica's tables for up to 90 s; the next heartbeat's query
        // is sent and waits on the server, where postgres-nio cannot cancel it.
        let lock = try server.holdLock(on: ["replicas", "deliveries"], in: database.name, seconds: 90)
        defer { lock.release() }
        #expect(Self.wait(30) { count("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.application_name <> '\(PostgresServer.HeldLock.name)'") >= 1 },
                "no query of the replica waited on the lock")

        kill(daemon.process.processIdentifier, SIGTERM)
        let exited = Self.wait(60) { !daemon.process.isRunning }
        let lockStillHeld = lock.isHeld
        #expect(exited && lockStillHeld, "compactd stopped only once the lock was gone (exited: \(exited)): \(logText())")
        if exited { #expect(daemon.process.terminationStatus == 0, "\(logText())") }
        #expect(logText().contains("replica stop not recorded"), "\(logText())")
    }

    @Test("compactctl status from another host lists the replica: running while it runs (exit 0), stopped after (exit 3)")
    func statusFromAnotherHost() throws {
        let database = try PostgresServer.shared().makeDatabase("status")
        let fixture = try DeadlineFixture(deadlinesInSeconds: [("later", 3600)])
        defer { fixture.remove() }
        try fixture.usePostgres(database.url)
        let log = fixture.directory.appendingPathComponent("compactd.log").path
        let daemon = try RunningDaemonTests.Daemon(fixture, log: log)
        defer { daemon.stop() }
        // Another host: no control socket of a local daemon (fixture.environment names none).
        var listed: [[String: Any]] = []
        for _ in 0..<100 {
            let run = try CommandRunner.run("compactctl", ["status", "-o", "json"], environment: fixture.environment)
            listed = ((try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8))) as? [String: Any])?["replicas"] as? [[String: Any]] ?? []
            if listed.contains(where: { $0["state"] as? String == "running" }) { break }
            usleep(100_000)
        }
        #expect(listed.count == 1, "\(listed)")
        #expect(listed.first?["state"] as? String == "running")
        #expect(listed.first?["pid"] as? Int == Int(daemon.process.processIdentifier))
        let table = try CommandRunner.run("compactctl", ["status"], environment: fixture.environment)
        #expect(table.status == 0, "\(table.stdout) \(table.stderr)")
        #expect(table.stdout.hasPrefix("compactd: not running on this host; 1 replica running"), "\(table.stdout)")
        #expect(table.stdout.contains("REPLICA") && table.stdout.contains("running"), "\(table.stdout)")
        daemon.stop()
        let after = try CommandRunner.run("compactctl", ["status", "-o", "json"], environment: fixture.environment)
        #expect(after.status == 3)
        let stopped = ((try? JSONSerialization.jsonObject(with: Data(after.stdout.utf8))) as? [String: Any])?["replicas"] as? [[String: Any]] ?? []
        #expect(stopped.first?["state"] as? String == "stopped", "\(stopped)")
    }
}
