import ArgumentParser
import CompactdCore
import CompactdStore
import Foundation

/// `compactctl retry`: dead letters back to pending (one, a channel's, or all), and a channel
/// disabled after a 410 re-enabled; or one missed notice sent after all. Recorded in the history.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Resend dead-lettered deliveries, re-enabling a disabled channel; or send a missed notice after all.",
        discussion: """
        --missed sends one notice that was recorded as missed (it fell due longer than catch_up \
        before compactd ran) under its identity, after a confirmation: it may reach a city \
        weeks late. Without a terminal, --yes gives the confirmation.
        """
    )

    @OptionGroup var config: ConfigOptions
    @Argument(help: "A delivery id (the notice identity).") var id: String?
    @Option(help: "Every dead letter of this channel; also re-enables the channel.") var channel: String?
    @Flag(help: "Every dead letter.") var all = false
    @Flag(help: "The delivery id is a missed notice: send it now, under its identity.") var missed = false
    @Flag(help: "With --missed: confirmed, do not ask.") var yes = false
    @Option(help: "On whose behalf (default: $SUDO_USER).") var by: String?
    static let formats: [OutputFormat] = [.table, .json]
    @Option(name: [.customShort("o"), .long], help: OutputFormat.help(formats)) var output: OutputFormat = .table
    @Flag(help: .hidden) var json = false

    func run() async throws {
        let format = try OutputFormat.chosen(output, json: json, allowed: Self.formats, command: "retry")
        let c = try config.load().configuration
        if missed {
            guard let id, channel == nil, !all else { throw CommandFailure("--missed takes one delivery id, and no --channel or --all") }
            let store = try StateAccess.open(c)
            guard let delivery = try await store.delivery(id: id) else { throw CommandFailure("unknown delivery '\(id)'") }
            guard delivery.status == .missed else { throw CommandFailure("\(id) is \(delivery.status.rawValue), not missed") }
            if !yes {
                guard isatty(0) == 1 else {
                    throw CommandFailure("\(id) was due \(TimestampFormat.short(delivery.sendAt, in: c.timeZone)); sending it now needs a confirmation: run again with --yes")
                }
                print("Send the missed notice \(id), due \(TimestampFormat.short(delivery.sendAt, in: c.timeZone)), now to \(delivery.channel)? [y/N] ", terminator: "")
                guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else { throw CommandFailure("not sent") }
            }
            let result = try await StateAccess.write(OperatorWrite(action: .retry, deliveryID: id, missed: true, onBehalfOf: StateAccess.onBehalfOf(by)), configuration: c)
            try ActionResult.print(format, command: "retry", result: result, steps: [delivery.stepKey], zone: c.timeZone)
            return
        }
        let chosen = [id != nil, channel != nil, all].filter { $0 }.count
        guard chosen == 1 else { throw CommandFailure("give exactly one of: a delivery id, --channel CHANNEL, --all") }
        if let channel, c.channel(channel) == nil { throw UnknownName.channel(channel, in: c) }
        let result = try await StateAccess.write(
            OperatorWrite(action: .retry, deliveryID: id, channel: channel, all: all ? true : nil, onBehalfOf: StateAccess.onBehalfOf(by)), configuration: c)
        try ActionResult.print(format, command: "retry", result: result, zone: c.timeZone)
    }
}
