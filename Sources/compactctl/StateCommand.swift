import ArgumentParser
import CompactdCore
import CompactdPostgres
import CompactdStore
import CompactdSystemd
import Foundation

/// `compactctl state`: what concerns the state store itself.
struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "Move compactd's state between stores.", subcommands: [StateMigrateCommand.self])
}

/// `compactctl state migrate --from sqlite:PATH --to postgres://…`: moving up from one SQLite
/// file to a PostgreSQL database shared by replicas. Every row is copied with its identity
/// (deliveries, attempts, acknowledgments, snoozes, channel state, history), in one transaction;
/// a target that holds anything is refused; the counts are read back and compared.
struct StateMigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Copy a SQLite state into an empty PostgreSQL database.",
        discussion: """
        Stop compactd first: what it writes after the copy would not be in it. The password comes \
        from --password-file, else $PGPASSWORD; TLS follows the URL's sslmode (default verify-full). \
        Then set [state] backend = "postgresql" and start the replicas.
        """
    )

    @Option(help: "The SQLite state: sqlite:PATH (or the path).") var from: String
    @Option(help: "The PostgreSQL database, e.g. postgres://compactd@db.example.org/compactd.") var to: String
    @Option(help: "A file holding the database password.") var passwordFile: String?
    @Option(help: "Certificate authorities for the server's certificate (PEM).") var caFile: String?
    @Option(help: "The running daemon's control socket (to refuse while it runs).") var socket: String?
    static let formats: [OutputFormat] = [.table, .json]
    @Option(name: [.customShort("o"), .long], help: OutputFormat.help(formats)) var output: OutputFormat = .table

    struct Result: Encodable {
        var from: String
        var to: String
        var tables: [Table]

        struct Table: Encodable {
            var table: String
            var source: Int
            var target: Int
        }
    }

    func run() async throws {
        let format = try OutputFormat.chosen(output, json: false, allowed: Self.formats, command: "state migrate")
        let path = from.hasPrefix("sqlite:") ? String(from.dropFirst(7)) : from
        guard FileManager.default.fileExists(atPath: path) else { throw CommandFailure("no SQLite state at \(path)") }
        if let answer = try? ControlSocket.send("status", to: socket ?? ControlSocket.defaultPath(), timeoutSeconds: 3), answer.hasPrefix("ok ") {
            throw CommandFailure("compactd is running: stop it first (systemctl stop compactd); what it writes after the copy would not be in the copy")
        }
        var settings: PostgresSettings
        switch PostgresURL.parse(to) {
        case .success(let parsed): settings = parsed
        case .failure(let problem): throw CommandFailure("--to: \(problem)")
        }
        settings.caFile = caFile
        var password = ProcessInfo.processInfo.environment["PGPASSWORD"]
        if let passwordFile {
            guard let text = FileManager.default.contents(atPath: passwordFile).flatMap({ String(validating: $0, as: UTF8.self) }) else {
                throw CommandFailure("--password-file \(passwordFile) cannot be read")
            }
            password = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let source: SQLiteStateStore
        let export: StateExport
        do {
            source = try SQLiteStateStore(path: path, busyTimeoutMilliseconds: 3000, access: .readOnly)
            export = try await source.exportAll()
        } catch {
            throw CommandFailure("\(error)")
        }
        // The target's schema is made here, as a replica would make it.
        let target = try PostgresStateStore(settings: settings, password: password, access: .replica)
        let copied: [String: Int]
        do {
            copied = try await target.withRunning { target in try await target.importAll(export) }
        } catch {
            throw CommandFailure("\(error)")
        }
        let expected = export.counts
        let order = ["deliveries", "attempts", "acknowledgments", "snoozes", "channel_state", "events"]
        let result = Result(from: path, to: settings.url, tables: order.map { .init(table: $0, source: expected[$0] ?? 0, target: copied[$0] ?? 0) })
        if format == .json {
            print(try JSONOutput.encode(result))
        } else {
            var table = TextTable(headers: ["TABLE", "SQLITE", "POSTGRESQL"])
            for t in result.tables { table.add([t.table, "\(t.source)", "\(t.target)"]) }
            print(table.render())
        }
        if result.tables.contains(where: { $0.source != $0.target }) {
            throw CommandFailure("the copy's counts differ from the source's (above): do not switch to it")
        }
        if format == .table { print("copied: set [state] backend = \"postgresql\" and url = \"\(settings.url)\", then start the replicas") }
    }
}
