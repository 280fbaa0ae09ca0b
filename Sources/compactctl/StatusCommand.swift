import ArgumentParser
import CompactdConfig
import CompactdCore
import CompactdStore
import CompactdSystemd

/// `compactctl status`: is the daemon running and since when, its own status line (next
/// wake-up, last reload error), and per channel what is pending, in flight, retrying, dead,
/// delivered, the last success and failure, and channels disabled after a 410.
///
/// Exits as `systemctl status` does: 0 when the daemon runs (even if the configuration on disk
/// is broken: the daemon's own word is what matters then), 3 when it does not. On a shared
/// PostgreSQL state it lists the replicas, and compactd runs when any replica does.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the daemon's state and each channel's deliveries.",
        discussion: "Exit status: 0 when compactd is running (on PostgreSQL: any replica, on any host), 3 when it is not (as systemctl status)."
    )

    /// `systemctl status`'s "program is not running" (LSB).
    static let notRunningExitCode: Int32 = 3

    @OptionGroup var config: ConfigOptions
    @Option(help: "The daemon's control socket.") var socket: String?
    static let formats: [OutputFormat] = [.table, .json, .csv]
    @Option(name: [.customShort("o"), .long], help: OutputFormat.help(formats)) var output: OutputFormat = .table
    @Flag(help: .hidden) var json = false

    struct Report: Encodable {
        var daemon: String
        var since: String?
        var sinceUtc: String?
        var status: String?
        var channels: [Channel]
        var disabledChannels: [String]
        /// The replicas sharing a PostgreSQL state (none with SQLite).
        var replicas: [Replica] = []
        /// Why the channels could not be read (a broken configuration, no state yet).
        var error: String?

        struct Replica: Encodable {
            var replica: String
            var host: String
            var pid: Int
            var version: String
            var startedUtc: String
            var lastHeartbeatUtc: String
            /// Seconds since its last heartbeat, by the database's clock.
            var heartbeatAgeSeconds: Int
            /// running (a heartbeat within a lease), silent (none for longer: dead or cut off;
            /// its deliveries go to the others), stopped (it said so).
            var state: String
            /// Deliveries it has claimed and not yet recorded.
            var holding: Int
        }

        struct Channel: Encodable {
            var channel: String
            var pending: Int
            /// Claimed for sending and not yet recorded: being sent now, or left by a process
            /// that was killed (put back at the next start).
            var inFlight: Int
            var retrying: Int
            var dead: Int
            var delivered: Int
            var missed: Int
            var lastSuccess: String?
            var lastSuccessUtc: String?
            var lastFailure: String?
            var lastFailureUtc: String?
            var lastFailureDetail: String?
        }
    }

    func run() async throws {
        let format = try OutputFormat.chosen(output, json: json, allowed: Self.formats, command: "status")
        var report = Report(daemon: "not running", channels: [], disabledChannels: [])
        if let answer = try? ControlSocket.send("status", to: socket ?? ControlSocket.defaultPath(), timeoutSeconds: 5), answer.hasPrefix("ok ") {
            report.daemon = "running"
            var rest = answer.dropFirst(3)
            if rest.hasPrefix("since=") {
                let since = rest.dropFirst(6).prefix { $0 != " " }
                report.since = String(since)
                report.sinceUtc = String(since)
                rest = rest.dropFirst(6 + since.count).drop { $0 == " " }
            }
            report.status = String(rest)
        }
        // When the configuration on disk is broken or the store cannot be opened, the daemon's
        // own word (still running on its last good configuration? degraded?) helps most: it is
        // printed, and the problem said beside it.
        let running = report.daemon == "running"
        // UTC until the configuration says otherwise (it may be broken).
        var zone = ZoneInfo.utc
        do {
            let c: Configuration
            do {
                c = try ConfigurationLoader().load(path: config.resolvedPath).configuration
            } catch {
                let errors = error.errors.sorted(by: ConfigProblem.inReadingOrder)
                throw CommandFailure((errors.first?.oneLine ?? "\(config.resolvedPath): cannot be loaded") + (errors.count > 1 ? " (and \(errors.count - 1) more)" : ""))
            }
            zone = c.timeZone
            if let since = report.sinceUtc.flatMap({ TimestampFormat.parse($0, zone: .utc) }) { report.since = JSONTime.local(since, zone) }
            let store = try StateAccess.open(c)
            for summary in try await store.channelSummaries() {
                report.channels.append(.init(
                    channel: summary.channel, pending: summary.count(.pending) - summary.retrying, inFlight: summary.count(.sending),
                    retrying: summary.retrying, dead: summary.count(.dead), delivered: summary.count(.delivered), missed: summary.count(.missed),
                    lastSuccess: summary.lastSuccess.map { JSONTime.local($0, c.timeZone) }, lastSuccessUtc: summary.lastSuccess.map(JSONTime.utc),
                    lastFailure: summary.lastFailure.map { JSONTime.local($0, c.timeZone) }, lastFailureUtc: summary.lastFailure.map(JSONTime.utc),
                    lastFailureDetail: summary.lastFailureDetail
                ))
            }
            report.disabledChannels = try await store.disabledChannels().map { "\($0.channel) (\($0.reason))" }
            let lease = Int64(c.state.postgres?.leaseSeconds ?? 30)
            for r in try await store.replicas() {
                let age = max(0, (r.readAt.microsecondsSinceEpoch - r.heartbeatAt.microsecondsSinceEpoch) / 1_000_000)
                report.replicas.append(.init(
                    replica: r.id, host: r.host, pid: r.pid, version: r.version, startedUtc: JSONTime.utc(r.startedAt), lastHeartbeatUtc: JSONTime.utc(r.heartbeatAt),
                    heartbeatAgeSeconds: Int(age), state: r.stoppedAt != nil ? "stopped" : (age <= lease ? "running" : "silent"), holding: r.holding
                ))
            }
        } catch {
            report.error = "\(error)"
        }
        if format == .json {
            print(try JSONOutput.encode(report))
        } else if format == .csv {
            // The channels' table alone: the daemon's line is not a row (the exit status says it).
            if let error = report.error { printError("compactctl: \(error)") } else { print(channelTable(report, zone: zone).csv(), terminator: "") }
        } else {
            printDaemon(report)
            if let error = report.error {
                printError("compactctl: \(error)")
            } else {
                print(report.channels.isEmpty ? "no deliveries yet" : channelTable(report, zone: zone).render())
                if !report.disabledChannels.isEmpty { print("disabled channels: \(report.disabledChannels.joined(separator: ", "))") }
                if !report.replicas.isEmpty {
                    var table = TextTable(headers: ["REPLICA", "HOST", "PID", "VERSION", "STATE", "LAST HEARTBEAT", "HOLDING"])
                    for r in report.replicas {
                        table.add([r.replica, r.host, "\(r.pid)", r.version, r.state, "\(r.heartbeatAgeSeconds) s ago", "\(r.holding)"])
                    }
                    print("")
                    print(table.render())
                }
            }
        }
        // On a shared PostgreSQL state, compactd runs when any replica does, here or elsewhere.
        if !running && !report.replicas.contains(where: { $0.state == "running" }) { throw ExitCode(Self.notRunningExitCode) }
    }

    private func channelTable(_ report: Report, zone: ZoneInfo) -> TextTable {
        var table = TextTable(headers: ["CHANNEL", "PENDING", "IN FLIGHT", "RETRYING", "DEAD", "DELIVERED", "MISSED", "LAST SUCCESS", "LAST FAILURE"])
        for ch in report.channels {
            table.add([ch.channel, "\(ch.pending)", "\(ch.inFlight)", "\(ch.retrying)", "\(ch.dead)", "\(ch.delivered)", "\(ch.missed)", JSONTime.display(ch.lastSuccess, zone) ?? "-",
                       JSONTime.display(ch.lastFailure, zone).map { "\($0) \(ch.lastFailureDetail ?? "")" } ?? "-"])
        }
        return table
    }

    private func printDaemon(_ report: Report) {
        let elsewhere = report.replicas.filter { $0.state == "running" }.count
        if report.daemon == "not running" && elsewhere > 0 {
            print("compactd: not running on this host; \(elsewhere) replica\(elsewhere == 1 ? "" : "s") running (below)")
            return
        }
        print("compactd: \(report.daemon)\(report.since.map { " since \($0)" } ?? "")")
        if let status = report.status { print("status: \(status)") }
    }
}
