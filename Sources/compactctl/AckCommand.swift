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
    @Option(help: "Who acknowledges (default: $SUDO_USER or $USER).") var by: String?
    @Option(help: "A note for the history.") var note: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let c = try config.load().configuration
        let now = Instant.now
        let step = try reference.resolve(in: c, now: now)
        let store = try StateAccess.open(c)
        let actor = by ?? Operator.name
        do {
            try await store.acknowledge(StepAcknowledgment(stepKey: step.key, at: now, by: actor, note: note), compactID: step.compactID, source: "compactctl")
        } catch {
            throw CommandFailure(error.code == .conflict ? "\(step.key) is already acknowledged" : "\(error)")
        }
        StateAccess.pokeDaemon()
        if json {
            print(try JSONOutput.encode(["step": step.key, "acknowledged_by": actor, "at": now.rfc3339UTC]))
        } else {
            print("acknowledged \(step.key) (due \(TimestampFormat.short(step.dueAt, in: c.timeZone))) by \(actor)")
        }
    }
}

/// `compactctl unack`: take an acknowledgment back; reminders resume as planned.
struct UnackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unack", abstract: "Withdraw an acknowledgment.")

    @OptionGroup var config: ConfigOptions
    @OptionGroup var reference: StepReference
    @Option(help: "Who withdraws it.") var by: String?

    func run() async throws {
        let c = try config.load().configuration
        let now = Instant.now
        let step = try reference.resolve(in: c, now: now)
        let store = try StateAccess.open(c)
        do {
            try await store.unacknowledge(stepKey: step.key, compactID: step.compactID, by: by ?? Operator.name, at: now, source: "compactctl")
        } catch {
            throw CommandFailure(error.code == .notFound ? "\(step.key) is not acknowledged" : "\(error)")
        }
        StateAccess.pokeDaemon()
        print("acknowledgment of \(step.key) withdrawn")
    }
}

/// `compactctl snooze`: pause a step occurrence's notices until a time; the last one held back
/// goes out when the snooze ends.
struct SnoozeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "snooze", abstract: "Pause a step occurrence's reminders until a time.")

    @OptionGroup var config: ConfigOptions
    @OptionGroup var reference: StepReference
    @Option(help: "Until when (\"YYYY-MM-DD HH:MM\" in the configured zone, or with UTC).") var until: String
    @Option(help: "Who snoozes.") var by: String?
    @Option(help: "A note for the history.") var note: String?

    func run() async throws {
        let c = try config.load().configuration
        let now = Instant.now
        guard let end = TimestampFormat.parse(until, zone: c.timeZone) else {
            throw CommandFailure("--until '\(until)' is not a time; expected \"YYYY-MM-DD HH:MM\" (in \(c.timeZone.identifier)) or with UTC")
        }
        guard end > now else { throw CommandFailure("--until \(TimestampFormat.short(end, in: c.timeZone)) is in the past; expected a future time") }
        let step = try reference.resolve(in: c, now: now)
        let store = try StateAccess.open(c)
        do {
            try await store.snooze(StepSnooze(stepKey: step.key, at: now, until: end, by: by ?? Operator.name, note: note), compactID: step.compactID, source: "compactctl")
        } catch {
            throw CommandFailure("\(error)")
        }
        StateAccess.pokeDaemon()
        print("snoozed \(step.key) until \(TimestampFormat.short(end, in: c.timeZone))")
    }
}

/// Who runs compactctl, for the history.
enum Operator {
    static var name: String {
        let env = ProcessInfo.processInfo.environment
        return env["SUDO_USER"] ?? env["USER"] ?? env["LOGNAME"] ?? "operator"
    }
}
