import CompactdCore

/// One row of the outbox.
public struct DeliveryRecord: Sendable, Hashable {
    public var id: String
    public var stepKey: String
    public var channel: String
    public var contact: String?
    public var sendAt: Instant
    public var status: DeliveryStatus
    /// Attempts made so far, including one in flight.
    public var attempts: Int
    public var nextAttemptAt: Instant?
    public var lastError: String?
    public var createdAt: Instant
    public var updatedAt: Instant
    public var snapshot: NoticeSnapshot
    /// Why the stored snapshot could not be read (then `snapshot` is empty and must not be
    /// sent); nil for a sound row.
    public var snapshotDamage: String?

    public init(
        id: String, stepKey: String, channel: String, contact: String?, sendAt: Instant, status: DeliveryStatus,
        attempts: Int, nextAttemptAt: Instant?, lastError: String?, createdAt: Instant, updatedAt: Instant, snapshot: NoticeSnapshot,
        snapshotDamage: String? = nil
    ) {
        self.snapshotDamage = snapshotDamage
        self.id = id
        self.stepKey = stepKey
        self.channel = channel
        self.contact = contact
        self.sendAt = sendAt
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.snapshot = snapshot
    }
}
