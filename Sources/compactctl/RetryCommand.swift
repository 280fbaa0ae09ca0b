import ArgumentParser
import CompactdCore
import CompactdStore

/// `compactctl retry`: dead letters back to pending (one, a channel's, or all), and a channel
/// disabled after a 410 re-enabled; recorded in the history.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Resend dead-lettered deliveries, re-enabling a disabled channel.")

    @OptionGroup var config: ConfigOptions
    @Argument(help: "A delivery id (the notice identity).") var id: String?
    @Option(help: "Every dead letter of this channel; also re-enables the channel.") var channel: String?
    @Flag(help: "Every dead letter.") var all = false
    @Option(help: "On whose behalf (default: $SUDO_USER).") var by: String?

    func run() async throws {
        let c = try config.load().configuration
        let chosen = [id != nil, channel != nil, all].filter { $0 }.count
        guard chosen == 1 else { throw CommandFailure("give exactly one of: a delivery id, --channel CHANNEL, --all") }
        if let channel, c.channel(channel) == nil { throw UnknownName.channel(channel, in: c) }
        print(try await StateAccess.write(
            OperatorWrite(action: .retry, deliveryID: id, channel: channel, all: all ? true : nil, onBehalfOf: StateAccess.onBehalfOf(by)), configuration: c))
    }
}
