/// How compactd delivers: retries, timeouts, concurrency, TLS trust, response size.
public struct DeliverySettings: Sendable, Hashable {
    /// The waits after attempt 1, 2, ...; once they run out the delivery is dead-lettered.
    public var retryDelays: [TimeSpan]
    public var connectTimeout: TimeSpan
    public var totalTimeout: TimeSpan
    public var maxConcurrentTransfers: Int
    public var maxConnectionsPerHost: Int
    /// A CA bundle for receivers with a private CA; certificates are always verified.
    public var caFile: String?
    /// Response bytes kept per transfer (for the record); the rest is dropped.
    public var maxResponseBytes: Int

    public init(
        retryDelays: [TimeSpan] = DeliverySettings.standardWebhooksDelays,
        connectTimeout: TimeSpan = TimeSpan(microseconds: 10_000_000),
        totalTimeout: TimeSpan = TimeSpan(microseconds: 30_000_000),
        maxConcurrentTransfers: Int = 64, maxConnectionsPerHost: Int = 16, caFile: String? = nil, maxResponseBytes: Int = 65_536
    ) {
        self.retryDelays = retryDelays
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.maxConcurrentTransfers = maxConcurrentTransfers
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.caFile = caFile
        self.maxResponseBytes = maxResponseBytes
    }

    /// Standard Webhooks' schedule after the immediate first attempt.
    public static let standardWebhooksDelays: [TimeSpan] = ["5s", "5min", "30min", "2h", "5h", "10h", "14h", "20h", "24h"].map { TimeSpan(parsing: $0)! }

    /// A span as whole milliseconds (ignoring months and treating days as 24 h), for timeouts.
    public static func milliseconds(_ span: TimeSpan) -> Int {
        Int((Int64(span.days) * 86_400_000_000 + span.microseconds) / 1000)
    }
}
