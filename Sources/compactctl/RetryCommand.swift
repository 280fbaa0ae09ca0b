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
    @Option(help: "Who asks.") var by: String?

    func run() async throws {
        let c = try config.load().configuration
        let chosen = [id != nil, channel != nil, all].filter { $0 }.count
        guard chosen == 1 else { throw CommandFailure("give exactly one of: a delivery id, --channel CHANNEL, --all") }
        if let channel, c.channel(channel) == nil { throw CommandFailure("unknown channel '\(channel)'") }
        let store = try StateAccess.open(c)
        let now = Instant.now
        let actor = by ?? Operator.name
        if let id {
            guard let delivery = try await store.delivery(id: id) else { throw CommandFailure("unknown delivery '\(id)'") }
            guard delivery.status == .dead else { throw CommandFailure("\(id) is \(delivery.status.rawValue), not dead-lettered") }
        }
        var reenabled = false
        if let channel, try await store.disabledChannels().contains(where: { $0.channel == channel }) {
            try await store.enableChannel(channel, by: actor, at: now)
            reenabled = true
        }
        let count = try await store.retryDead(ids: id.map { [$0] }, channel: channel, by: actor, at: now)
        StateAccess.pokeDaemon()
        print("\(count) dead-lettered deliver\(count == 1 ? "y" : "ies") queued again\(reenabled ? "; channel \(channel!) re-enabled" : "")")
    }
}
