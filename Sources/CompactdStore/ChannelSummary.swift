import CompactdCore

/// Delivery counts and last outcomes of one channel, for `compactctl status` and STATUS=.
public struct ChannelSummary: Sendable, Hashable {
    public var channel: String
    public var counts: [DeliveryStatus: Int]
    /// Pending deliveries that were already attempted (waiting for a retry).
    public var retrying: Int = 0
    public var lastSuccess: Instant?
    public var lastFailure: Instant?
    public var lastFailureDetail: String?

    public init(channel: String, counts: [DeliveryStatus: Int] = [:], lastSuccess: Instant? = nil, lastFailure: Instant? = nil, lastFailureDetail: String? = nil) {
        self.channel = channel
        self.counts = counts
        self.lastSuccess = lastSuccess
        self.lastFailure = lastFailure
        self.lastFailureDetail = lastFailureDetail
    }

    public func count(_ status: DeliveryStatus) -> Int { counts[status] ?? 0 }
}
