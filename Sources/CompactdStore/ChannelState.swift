import CompactdCore

/// A channel compactd stopped using on its own (after a 410 Gone), until an operator
/// re-enables it.
public struct ChannelState: Sendable, Hashable {
    public var channel: String
    public var disabledAt: Instant
    public var reason: String

    public init(channel: String, disabledAt: Instant, reason: String) {
        self.channel = channel
        self.disabledAt = disabledAt
        self.reason = reason
    }
}
