import ArgumentParser
import CompactdCore
import CompactdStore
import Foundation

/// `compactctl ack`: a step occurrence is done; no more reminders, overdue notices or
/// escalations for it. The running daemon honours it at once (it re-checks before every send).
struct AckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ack", abstract: "Acknowledge a step occurrence: its reminders stop.")

    @OptionGroup var config: ConfigOptions
    @OptionGroup var reference: StepReference
    @Option(help: "On whose behalf (default: $SUDO_USER); who acted is always your Unix user.") var by: String?
    @Option(help: "A note for the history.") var note: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let c = try config.load().configuration
        let now = Instant.now
        let step = try reference.resolve(in: c, now: now)
        let done = try await StateAccess.write(
            OperatorWrite(action: .ack, stepKey: step.key, compactID: step.compactID, note: note, onBehalfOf: StateAccess.onBehalfOf(by)), configuration: c)
        if json {
            print(try JSONOutput.encode(["step": step.key, "result": done, "at": now.rfc3339UTC]))
        } else {
            print("\(done) (due \(TimestampFormat.short(step.dueAt, in: c.timeZone)))")
        }
    }
}

/// `compactctl unack`: take an acknowledgment back; reminders resume as planned.
struct UnackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unack", abstract: "Withdraw an acknowledgment.")

    @OptionGroup var config: ConfigOptions
    @OptionGroup var reference: StepReference
    @Option(help: "On whose behalf (default: $SUDO_USER).") var by: String?

    func run() async throws {
        let c = try config.load().configuration
        let step = try reference.resolve(in: c, now: Instant.now)
        print(try await StateAccess.write(OperatorWrite(action: .unack, stepKey: step.key, compactID: step.compactID, onBehalfOf: StateAccess.onBehalfOf(by)), configuration: c))
    }
}

/// `compactctl snooze`: pause a step occurrence's notices until a time; the last one held back
/// goes out when the snooze ends.
struct SnoozeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "snooze", abstract: "Pause a step occurrence's reminders until a time.")

    @OptionGroup var config: ConfigOptions
    @OptionGroup var reference: StepReference
    @Option(help: "Until when (\"YYYY-MM-DD HH:MM\" in the configured zone, or with UTC).") var until: String
    @Option(help: "On whose behalf (default: $SUDO_USER).") var by: String?
    @Option(help: "A note for the history.") var note: String?

    func run() async throws {
        let c = try config.load().configuration
        let now = Instant.now
        guard let end = TimestampFormat.parse(until, zone: c.timeZone) else {
            throw CommandFailure("--until '\(until)' is not a time; expected \"YYYY-MM-DD HH:MM\" (in \(c.timeZone.identifier)) or with UTC")
        }
        guard end > now else { throw CommandFailure("--until \(TimestampFormat.short(end, in: c.timeZone)) is in the past; expected a future time") }
        let step = try reference.resolve(in: c, now: now)
        _ = try await StateAccess.write(
            OperatorWrite(action: .snooze, stepKey: step.key, compactID: step.compactID, note: note, untilMicroseconds: end.microsecondsSinceEpoch, onBehalfOf: StateAccess.onBehalfOf(by)),
            configuration: c)
        print("snoozed \(step.key) until \(TimestampFormat.short(end, in: c.timeZone))")
    }
}
