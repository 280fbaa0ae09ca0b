import CompactdCore

/// Everything a state holds, row for row, as `compactctl state migrate` moves it from SQLite to
/// PostgreSQL: every identity, count and time unchanged. A delivery left `sending` by a process
/// that stopped (no lease can come with it) is exported `pending`, due when it was, to be sent
/// again under its identity, as a restart would.
public struct StateExport: Sendable {
    public struct Delivery: Sendable, Hashable {
        public var id, stepKey, compactID, channel: String
        public var contact: String?
        public var sendAt: Int64
        public var status: String
        public var attempts: Int
        public var nextAttemptAt: Int64?
        public var lastError: String?
        public var createdAt, updatedAt: Int64
        /// The stored text, not decoded: a damaged snapshot moves as it is.
        public var snapshot: String
    }

    public struct Acknowledgment: Sendable, Hashable {
        public var stepKey, compactID: String
        public var at: Int64
        public var actor, note: String?
        public var source: String
    }

    public struct Snooze: Sendable, Hashable {
        public var stepKey, compactID: String
        public var at, until: Int64
        public var actor, note: String?
        public var source: String
    }

    /// In the order they were written (SQLite's rowid), so claims keep their order.
    public var deliveries: [Delivery] = []
    public var attempts: [AttemptRecord] = []
    public var acknowledgments: [Acknowledgment] = []
    public var snoozes: [Snooze] = []
    public var channelStates: [ChannelState] = []
    /// With their sequence numbers.
    public var events: [HistoryEvent] = []

    public init() {}

    /// Rows per table, to compare source and target after a copy.
    public var counts: [String: Int] {
        ["deliveries": deliveries.count, "attempts": attempts.count, "acknowledgments": acknowledgments.count,
         "snoozes": snoozes.count, "channel_state": channelStates.count, "events": events.count]
    }
}
