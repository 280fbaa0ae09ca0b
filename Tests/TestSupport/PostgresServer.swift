import Foundation

/// One real PostgreSQL 15 server for a test process, started on first use by
/// Tests/Fixtures/pg_server.py (initdb into a temporary folder, 127.0.0.1 and a free port, as
/// the `postgres` user) and stopped when the process exits. Each test takes a database of its
/// own, so tests running in parallel never see each other's rows.
public final class PostgresServer: Sendable {
    public let directory: String
    public let port: Int

    /// The process's server; started by the first test that asks.
    public static func shared() throws -> PostgresServer {
        try lock.withLock {
            if let server = started { return server }
            let server = try PostgresServer()
            started = server
            atexitDirectory = server.directory
            atexit { PostgresServer.stopAtExit() }
            return server
        }
    }

    nonisolated(unsafe) private static var started: PostgresServer?
    nonisolated(unsafe) private static var atexitDirectory: String?

    private static func stopAtExit() {
        if let directory = atexitDirectory { _ = try? ServerProcess.runScript("pg_server.py", ["stop", directory]) }
    }
    private static let lock = NSLock()

    /// A server of the caller's own, to stop and start (the shared one must stay up): stopped
    /// when the process exits too.
    public static func privateServer(tlsCertificate: String? = nil, tlsKey: String? = nil) throws -> PostgresServer {
        let server = try PostgresServer(tlsCertificate: tlsCertificate, tlsKey: tlsKey)
        lock.withLock { extra.append(server.directory) }
        atexit { PostgresServer.stopExtraAtExit() }
        return server
    }

    nonisolated(unsafe) private static var extra: [String] = []

    private static func stopExtraAtExit() {
        for directory in extra { _ = try? ServerProcess.runScript("pg_server.py", ["stop", directory]) }
        extra.removeAll()
    }

    /// Stops the server (immediate: connections are cut, as when the database host dies).
    public func stop() throws {
        let (status, output) = try ServerProcess.runScript("pg_server.py", ["stop", directory])
        guard status == 0 else { throw ServerProcess.ServerError(message: "stop failed: \(output)") }
    }

    /// Starts it again on the same port.
    public func startAgain() throws {
        let (status, output) = try ServerProcess.runScript("pg_server.py", ["start-again", directory])
        guard status == 0 else { throw ServerProcess.ServerError(message: "start failed: \(output)") }
    }

    init(tlsCertificate: String? = nil, tlsKey: String? = nil) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("compactd-pg-\(UUID().uuidString.prefix(8))").path
        var arguments = ["start", directory]
        if let tlsCertificate, let tlsKey { arguments += [tlsCertificate, tlsKey] }
        let (status, output) = try ServerProcess.runScript("pg_server.py", arguments)
        guard status == 0, let port = Int(output.split(separator: "\n").last.map(String.init) ?? "") else {
            throw ServerProcess.ServerError(message: "PostgreSQL did not start (is postgresql-15 installed? make test-deps): \(output)")
        }
        self.directory = directory
        self.port = port
    }

    /// A new, empty database; its URL (loopback, no TLS: the server is the test's own).
    public func makeDatabase(_ prefix: String = "t") throws -> (name: String, url: String) {
        let name = "\(prefix)_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        let (status, output) = try ServerProcess.runScript("pg_server.py", ["createdb", directory, name])
        guard status == 0 else { throw ServerProcess.ServerError(message: "CREATE DATABASE \(name) failed: \(output)") }
        return (name, "postgres://compactd@127.0.0.1:\(port)/\(name)?sslmode=disable")
    }

    /// Runs SQL with psql (the independent reader): rows as tab-separated lines.
    public func psql(_ database: String, _ sql: String) throws -> String {
        let (status, output) = try ServerProcess.runScript("pg_server.py", ["psql", directory, database, sql])
        guard status == 0 else { throw ServerProcess.ServerError(message: "psql failed: \(output)") }
        return output
    }

    /// Another session holding `tables` locked (ACCESS EXCLUSIVE) for up to `seconds`, as a
    /// database that does not answer: queries on those tables wait on the server. Returns once
    /// the lock is granted (bounded); `release()` ends that session.
    public func holdLock(on tables: [String], in database: String, seconds: Int) throws -> HeldLock {
        let held = HeldLock(server: self, database: database)
        DispatchQueue.global().async {
            _ = try? self.psql(database, "SET application_name = '\(HeldLock.name)'; BEGIN; LOCK TABLE \(tables.joined(separator: ", ")) IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(\(seconds)); COMMIT;")
            held.ended.signal()
        }
        for _ in 0..<200 where !held.granted {
            held.granted = try psql(database, "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = '\(tables[0])' AND l.mode = 'AccessExclusiveLock' AND l.granted")
                .trimmingCharacters(in: .whitespacesAndNewlines) == "1"
            if !held.granted { usleep(50_000) }
        }
        return held
    }

    /// The session `holdLock` started.
    public final class HeldLock: @unchecked Sendable {
        /// The session's application_name, to find it (and to tell its locks from others').
        public static let name = "compactd-test-locker"
        let server: PostgresServer
        let database: String
        let ended = DispatchSemaphore(value: 0)
        /// Whether the lock was granted before `holdLock` returned.
        public fileprivate(set) var granted = false

        init(server: PostgresServer, database: String) {
            self.server = server
            self.database = database
        }

        /// Whether the session still runs (and so still holds the lock).
        public var isHeld: Bool {
            (try? server.psql(database, "SELECT count(*) FROM pg_stat_activity WHERE application_name = '\(Self.name)'"))?
                .trimmingCharacters(in: .whitespacesAndNewlines) == "1"
        }

        /// Ends the session (its transaction rolls back) and waits until it has.
        public func release() {
            _ = try? server.psql(database, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '\(Self.name)'")
            ended.wait()
        }
    }

    /// A fast restart on the same port: what a failover looks like to a client.
    public func restart() throws {
        let (status, output) = try ServerProcess.runScript("pg_server.py", ["restart", directory])
        guard status == 0 else { throw ServerProcess.ServerError(message: "restart failed: \(output)") }
    }
}
