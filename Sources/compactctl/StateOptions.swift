import ArgumentParser
import CompactdConfig
import CompactdCore
import CompactdDelivery
import CompactdPostgres
import CompactdStore
import CompactdSystemd
import Foundation
import Logging

/// The state store from compactctl: the daemon's file (`$STATE_DIRECTORY`, else the configured
/// `state_path`), which must already exist: compactctl never creates state; or, with
/// `[state] backend = "postgresql"`, the replicas' database, from any host that reaches it.
///
/// Reads open the file read-only (no migration, nothing written), so any member of the compactd
/// group can run them. Writes go to the running daemon over the control socket, which records
/// the caller's Unix user; with no daemon running, only root writes the file, directly. On
/// PostgreSQL anyone holding the database's password writes directly, and every replica hears
/// of it at once (NOTIFY).
enum StateAccess {
    static func path(_ configuration: Configuration) -> String {
        SQLiteStateStore.location(configured: configuration.statePath)
    }

    /// Whether there is state to read: a file written by compactd, or a database.
    static func exists(_ configuration: Configuration) -> Bool {
        configuration.state.postgres != nil || FileManager.default.fileExists(atPath: path(configuration))
    }

    /// The store, read-only for SQLite.
    static func open(_ configuration: Configuration) throws -> any StateStore {
        if let settings = configuration.state.postgres { return try openPostgres(settings) }
        return try open(configuration, access: .readOnly)
    }

    /// The replicas' database, its connections running for the rest of the command. The
    /// password: the configured file or credential, else `$PGPASSWORD` (an operator's shell on
    /// another host); none for trust or peer authentication.
    static func openPostgres(_ settings: PostgresSettings) throws -> PostgresStateStore {
        var password: String?
        if let reference = settings.password {
            do {
                password = try SecretResolver().value(of: reference)
            } catch {
                guard let fromEnvironment = ProcessInfo.processInfo.environment["PGPASSWORD"] else {
                    throw CommandFailure("the database password: \(error) (or set PGPASSWORD)")
                }
                password = fromEnvironment
            }
        } else {
            password = ProcessInfo.processInfo.environment["PGPASSWORD"]
        }
        let store: PostgresStateStore
        do {
            store = try PostgresStateStore(settings: settings, password: password, access: .client, logger: Logger(label: "compactctl", factory: { _ in SwiftLogNoOpLogHandler() }))
        } catch {
            throw CommandFailure("\(error)")
        }
        Task.detached { await store.runConnections() }
        return store
    }

    private static func open(_ configuration: Configuration, access: SQLiteStateStore.Access) throws -> SQLiteStateStore {
        let path = path(configuration)
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure("no state at \(path): has compactd run yet? (set STATE_DIRECTORY or state_path)")
        }
        do {
            return try SQLiteStateStore(path: path, busyTimeoutMilliseconds: 3000, access: access)
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    /// Whom a write is for, besides the Unix user that makes it: `--by`, else the user who ran
    /// sudo.
    static func onBehalfOf(_ by: String?) -> String? {
        by ?? ProcessInfo.processInfo.environment["SUDO_USER"]
    }

    /// A write about one step occurrence that takes nothing else (`unack`, `unsnooze`): the
    /// step's key, the daemon's account of the write, and the configured zone.
    static func write(_ action: OperatorWrite.Action, _ reference: StepReference, config: ConfigOptions, by: String?) async throws -> (step: String, result: String, zone: ZoneInfo) {
        let c = try config.load().configuration
        let step = try reference.resolve(in: c, now: Instant.now)
        let result = try await write(OperatorWrite(action: action, stepKey: step.key, compactID: step.compactID, onBehalfOf: onBehalfOf(by)), configuration: c)
        return (step.key, result, c.timeZone)
    }

    /// Makes a write: through the running daemon, else (root only) directly. Returns the
    /// daemon's one-line account of it.
    static func write(_ request: OperatorWrite, configuration: Configuration, socket: String? = nil) async throws -> String {
        let socketPath = socket ?? ControlSocket.defaultPath()
        let answer: String
        do {
            answer = try ControlSocket.send("write " + request.encoded(), to: socketPath, timeoutSeconds: 30)
        } catch {
            // No daemon answers here: on PostgreSQL the write goes to the database, and the
            // replicas hear of it (NOTIFY).
            if let settings = configuration.state.postgres {
                let store = try openPostgres(settings)
                do throws(OperatorWrite.Refusal) {
                    return try await request.apply(to: store, unixUser: ControlPeer.current.userName, source: "compactctl", now: Instant.now)
                } catch {
                    throw CommandFailure(error.message)
                }
            }
            // No daemon answers: root may write the file itself (it may migrate it too: no
            // older daemon runs on it).
            guard geteuid() == 0 else {
                throw CommandFailure("compactd is not running (\(error)); changes go through it, or run compactctl as root while it is stopped")
            }
            let store = try open(configuration, access: .readWrite)
            do throws(OperatorWrite.Refusal) {
                return try await request.apply(to: store, unixUser: ControlPeer.current.userName, source: "compactctl", now: Instant.now)
            } catch {
                throw CommandFailure(error.message)
            }
        }
        if answer.hasPrefix("ok ") { return String(answer.dropFirst(3)) }
        let reason = answer.hasPrefix("error ") ? String(answer.dropFirst(6)) : answer
        // "code: message" from the daemon; the message is what the operator needs.
        if let colon = reason.firstIndex(of: ":"), reason[..<colon].allSatisfy({ $0.isLetter || $0 == "-" }) {
            throw CommandFailure(String(reason[reason.index(after: colon)...]).trimmingWhitespace())
        }
        throw CommandFailure(reason)
    }
}
