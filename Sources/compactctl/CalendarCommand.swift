import ArgumentParser
import CompactdCore
import Foundation

/// `compactctl calendar`: what `systemd-analyze calendar` prints, computed by compactd's own
/// engine, so an operator can check a cycle's expression before putting it in a config.
struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Normalize calendar expressions and show when they next elapse, like systemd-analyze calendar."
    )

    @Option(name: .customLong("base-time"), help: "Compute elapses after this time (\"YYYY-MM-DD HH:MM:SS UTC\"); default now.")
    var baseTime: String?

    @Option(help: "How many elapses to show per expression.")
    var iterations: Int = 1

    static let formats: [OutputFormat] = [.table, .json]
    @Option(name: [.customShort("o"), .long], help: OutputFormat.help(formats)) var output: OutputFormat = .table
    @Flag(help: .hidden) var json = false

    @Option(help: "Evaluate in this configuration's time_zone, as the daemon does, instead of the machine's ($TZ).")
    var config: String?

    @Argument(help: "One or more calendar expressions.")
    var expressions: [String]

    func run() throws {
        let localZone: ZoneInfo
        if let config {
            // The zone a cycle's expression is evaluated in by compactd: the configured one.
            localZone = try ConfigOptions.parse(["--config", config]).load().configuration.timeZone
        } else {
            do {
                localZone = try ZoneInfo.processLocal()
            } catch {
                throw CommandFailure("\(error)")
            }
        }
        let base: Instant
        if let baseTime {
            guard let parsed = TimestampFormat.parse(baseTime, zone: localZone) else {
                throw CommandFailure("--base-time '\(baseTime)' is not a timestamp; expected \"YYYY-MM-DD HH:MM:SS UTC\"")
            }
            base = parsed
        } else {
            base = Instant.now
        }
        guard iterations >= 1 else { throw CommandFailure("--iterations must be at least 1") }

        let reports = expressions.map { CalendarReport(expression: $0, base: base, iterations: iterations, localZone: localZone) }
        var anyInvalid = false
        if try OutputFormat.chosen(output, json: json, allowed: Self.formats, command: "calendar") == .json {
            let entries = reports.map(CalendarJSONEntry.init)
            anyInvalid = entries.contains { $0.error != nil }
            print(try JSONOutput.encode(entries))
        } else {
            var first = true
            for report in reports {
                switch report.result {
                case .success:
                    if !first { print("") }
                    first = false
                    print(report.text(displayZone: localZone) ?? "")
                case .failure(let error):
                    anyInvalid = true
                    printError("Failed to parse calendar specification '\(report.original)': \(error.reason)")
                }
            }
        }
        if anyInvalid { throw ExitCode(1) }
    }
}

/// One expression in `compactctl calendar --json`.
struct CalendarJSONEntry: Encodable {
    var original: String
    var normalized: String?
    var next: [String]?
    var error: String?

    init(_ report: CalendarReport) {
        original = report.original
        switch report.result {
        case .success(let evaluation):
            normalized = evaluation.normalized
            next = evaluation.elapses.map(\.rfc3339UTC)
        case .failure(let failure):
            error = failure.description
        }
    }
}
