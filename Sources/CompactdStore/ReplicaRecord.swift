import CompactdCore

/// One compactd process sharing a PostgreSQL state: who it is, when it last said it was alive,
/// and how many deliveries it holds (claimed, being sent) now.
public struct ReplicaRecord: Sendable, Hashable {
    public var id: String
    public var host: String
    public var pid: Int
    public var version: String
    public var startedAt: Instant
    public var heartbeatAt: Instant
    /// When it stopped gracefully; nil while it runs (or after it died without saying so).
    public var stoppedAt: Instant?
    public var holding: Int
    /// The database's clock when this was read: a heartbeat is judged against it, never
    /// against the reader's own clock.
    public var readAt: Instant

    public init(id: String, host: String, pid: Int, version: String, startedAt: Instant, heartbeatAt: Instant, stoppedAt: Instant?, holding: Int, readAt: Instant) {
        self.id = id
        self.host = host
        self.pid = pid
        self.version = version
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.stoppedAt = stoppedAt
        self.holding = holding
        self.readAt = readAt
    }
}
