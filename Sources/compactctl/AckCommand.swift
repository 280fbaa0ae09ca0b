import ArgumentParser
import CompactdCore
import CompactdStore
import Foundation

/// `compactctl ack`: a step occurrence is done; no more reminders, overdue notices or
/// escalations for it. The running daemon honours it at once (it re-checks before every send).
/// Also a whole occurrence of a cycle at once (`carson/summer-reengagement/2026-05-01`), and,
/// on the first day of a deployment, everything due up to a date (`--through`), as remind's
/// COMPLETE-THROUGH does.
struct AckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack", abstract: "Acknowledge a step occurrence (or a whole occurrence, or all due up to a date): its reminders stop.",
        discussion: """
        STEP is COMPACT/CYCLE/YYYY-MM-DD/STEP as agenda shows it; COMPACT/CYCLE/YYYY-MM-DD \
        acknowledges every step of that occurrence. --through DATE acknowledges every step \
        occurrence due up to the end of DATE (in the configured zone), of one compact with \
        --compact or of all; each gets its own history event, noted "marked done at adoption" \
        unless --note says otherwise. Steps already acknowledged are left as they are.
        """
    )

    @OptionGroup var config: ConfigOptions
    @OptionGroup var reference: StepReference
    @Option(help: "Acknowledge every step occurrence due up to the end of this date (YYYY-MM-DD).") var through: String?
    @Option(help: "On whose behalf (default: $SUDO_USER); who acted is always your Unix user.") var by: String?
    @Option(help: "A note for the history.") var note: String?
    static let formats: [OutputFormat] = [.table, .json]
    @Option(name: [.customShort("o"), .long], help: OutputFormat.help(formats)) var output: OutputFormat = .table
    @Flag(help: .hidden) var json = false

    func run() async throws {
        let format = try OutputFormat.chosen(output, json: json, allowed: Self.formats, command: "ack")
        let c = try config.load().configuration
        let now = Instant.now
        if let through {
            guard reference.key == nil, reference.cycle == nil, reference.step == nil, reference.occurrence == nil else {
                throw CommandFailure("--through takes no step; only --compact to limit it to one compact")
            }
            guard let date = LocalDate(parsing: through) else { throw CommandFailure("--through '\(through)' is not a date; expected YYYY-MM-DD") }
            if let compact = reference.compact, c.compact(compact) == nil {
                throw UnknownName.compact(compact, in: c)
            }
            let end = c.timeZone.instant(for: LocalDateTime(date: date.adding(days: 1), hour: 0))
            // Back far enough for any compact's history: ten years before the date.
            let steps = Planner(configuration: c).stepOccurrences(from: end.adding(seconds: -3_660 * 86_400), to: end, compactID: reference.compact)
            try await acknowledge(steps, note: note ?? "marked done at adoption (ack --through \(through))", configuration: c, format: format)
            return
        }
        if let key = reference.key, key.split(separator: "/").count == 3 {
            try await acknowledge(try Self.occurrence(key, in: c, now: now), note: note, configuration: c, format: format)
            return
        }
        let step = try reference.resolve(in: c, now: now)
        let done = try await StateAccess.write(
            OperatorWrite(action: .ack, stepKey: step.key, compactID: step.compactID, note: note, onBehalfOf: StateAccess.onBehalfOf(by)), configuration: c)
        try ActionResult.print(format, command: "ack", result: done, steps: [step.key], zone: c.timeZone, table: "\(done) (due \(TimestampFormat.short(step.dueAt, in: c.timeZone)))")
    }

    private func acknowledge(_ steps: [StepOccurrence], note: String?, configuration c: Configuration, format: OutputFormat) async throws {
        guard !steps.isEmpty else { throw CommandFailure("nothing to acknowledge: no step occurrence is due then") }
        let targets = steps.map { OperatorWrite.StepTarget(key: $0.key, compactID: $0.compactID) }
        let done = try await StateAccess.write(OperatorWrite(action: .ack, note: note, onBehalfOf: StateAccess.onBehalfOf(by), steps: targets), configuration: c)
        let lines = [done] + steps.map { "  \($0.key) (due \(TimestampFormat.short($0.dueAt, in: c.timeZone)))" }
        try ActionResult.print(format, command: "ack", result: done, steps: targets.map(\.key), zone: c.timeZone, table: lines.joined(separator: "\n"))
    }

    /// Every step of one occurrence of a cycle: COMPACT/CYCLE/YYYY-MM-DD.
    static func occurrence(_ key: String, in c: Configuration, now: Instant) throws -> [StepOccurrence] {
        let parts = key.split(separator: "/").map(String.init)
        guard let compact = c.compact(parts[0]) else {
            throw UnknownName.compact(parts[0], in: c)
        }
        guard let cycle = compact.cycles.first(where: { $0.id == parts[1] }) else {
            throw UnknownName.missing("compact \(compact.id) has no cycle", parts[1], known: compact.cycles.map(\.id))
        }
        guard let date = LocalDate(parsing: parts[2]) else { throw CommandFailure("'\(parts[2])' is not a date; expected YYYY-MM-DD") }
        let around = c.timeZone.instant(for: LocalDateTime(date: date, hour: 0))
        let steps = Planner(configuration: c).stepOccurrences(from: around.adding(seconds: -400 * 86_400), to: around.adding(seconds: 800 * 86_400), compactID: compact.id)
            .filter { $0.cycleID == cycle.id && $0.occurrence == date }
        guard !steps.isEmpty else { throw CommandFailure("\(compact.id)/\(cycle.id) has no occurrence on \(date)") }
        return steps
    }
}
