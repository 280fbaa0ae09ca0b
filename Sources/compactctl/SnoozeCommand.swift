import ArgumentParser
import CompactdCore
import CompactdStore
import Foundation

/// `compactctl snooze`: pause a step occurrence's notices for a while, as amtool silences
/// alerts; the last notice held back goes out when the snooze ends. `--list` shows the active
/// snoozes; `unsnooze` ends one early.
struct SnoozeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snooze", abstract: "Pause a step occurrence's reminders for a while, or list the active snoozes.",
        discussion: """
        Give the end with --until TIME or --for SPAN. TIME is "YYYY-MM-DD HH:MM" in the configured \
        time zone (or with UTC); a bare date YYYY-MM-DD means 00:00 that day in the configured zone, \
        as everywhere compactctl reads a time. SPAN is a systemd time span such as 14d or "1w 2d", \
        counted in the configured zone (a day keeps the wall clock across a DST change). A snooze \
        counted from now (--for, or a relative --until such as "+2h") ends on the next whole \
        minute, so that what agenda shows is when the daemon sends; a time written out is kept \
        to the second. An acknowledged step cannot be snoozed.
        """
    )

    @OptionGroup var config: ConfigOptions
    @OptionGroup var reference: StepReference
    @Option(help: "Until when: \"YYYY-MM-DD HH:MM\" in the configured zone, or with UTC.") var until: String?
    @Option(name: .customLong("for"), help: "For how long: a time span such as 14d or \"1w 2d\".") var duration: String?
    @Flag(help: "List the active snoozes instead.") var list = false
    static let formats: [OutputFormat] = [.table, .json, .csv]
    @Option(name: [.customShort("o"), .long], help: OutputFormat.help(formats)) var output: OutputFormat = .table
    @Flag(help: .hidden) var json = false
    @Option(help: "On whose behalf (default: $SUDO_USER).") var by: String?
    @Option(help: "A note for the history.") var note: String?

    func validate() throws {
        if list {
            guard until == nil, duration == nil else { throw ValidationError("--list takes no --until or --for") }
            return
        }
        guard (until == nil) != (duration == nil) else { throw ValidationError("give the snooze's end: --until TIME or --for SPAN (one of them)") }
    }

    struct Line: Encodable {
        var step: String
        var since: String
        var sinceUtc: String
        var until: String
        var untilUtc: String
        var by: String?
        var note: String?
    }

    func run() async throws {
        let format = try OutputFormat.chosen(output, json: json, allowed: list ? Self.formats : [.table, .json], command: list ? "snooze --list" : "snooze")
        let c = try config.load().configuration
        let now = Instant.now
        if list {
            let store = try StateAccess.open(c)
            let active = try await store.plannerState().snoozes.values.filter { $0.until > now }.sorted { ($0.until, $0.stepKey) < ($1.until, $1.stepKey) }
            let lines = active.map {
                Line(step: $0.stepKey, since: JSONTime.local($0.at, c.timeZone), sinceUtc: JSONTime.utc($0.at), until: JSONTime.local($0.until, c.timeZone), untilUtc: JSONTime.utc($0.until), by: $0.by, note: $0.note)
            }
            var table = TextTable(headers: ["STEP", "UNTIL", "SINCE", "BY", "NOTE"])
            for line in lines { table.add([line.step, JSONTime.display(line.until, c.timeZone) ?? "-", JSONTime.display(line.since, c.timeZone) ?? "-", line.by ?? "-", line.note ?? "-"]) }
            switch format {
            case .json: print(try JSONOutput.encode(lines))
            case .csv: print(table.csv(), terminator: "")
            default: print(lines.isEmpty ? "no active snoozes" : table.render())
            }
            return
        }
        var end: Instant
        if let until {
            guard let parsed = TimestampFormat.parse(until, zone: c.timeZone, now: now) else {
                throw CommandFailure("--until '\(until)' is not a time; expected \"YYYY-MM-DD HH:MM\" (in \(c.timeZone.identifier)) or with UTC")
            }
            end = parsed
        } else {
            let text = duration ?? ""
            guard let span = TimeSpan(parsing: text), !span.isZero else {
                throw CommandFailure("--for '\(text)' is not a time span; expected one such as 14d, 36h or \"1w 2d\"")
            }
            end = c.timeZone.instant(for: span.added(to: c.timeZone.localDateTime(at: now)))
        }
        // Counted from now, its seconds are an accident of when the command ran: on a whole
        // minute, so that what is shown is when the daemon sends (Instant.roundedUpToMinute).
        // A time written out (it parses without "now") is the operator's, to the second.
        if duration != nil || until.flatMap({ TimestampFormat.parse($0, zone: c.timeZone) }) == nil {
            end = end.roundedUpToMinute
        }
        guard end > now else { throw CommandFailure("the snooze's end, \(TimestampFormat.short(end, in: c.timeZone)), is in the past; expected a future time") }
        let step = try reference.resolve(in: c, now: now)
        let result = try await StateAccess.write(
            OperatorWrite(action: .snooze, stepKey: step.key, compactID: step.compactID, note: note, untilMicroseconds: end.microsecondsSinceEpoch, onBehalfOf: StateAccess.onBehalfOf(by)),
            configuration: c)
        try ActionResult.print(format, command: "snooze", result: result, steps: [step.key], zone: c.timeZone, table: "snoozed \(step.key) until \(TimestampFormat.short(end, in: c.timeZone))")
    }
}
