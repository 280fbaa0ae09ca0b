import CompactdCore

/// A notice about to be written to the outbox.
public struct NewDelivery: Sendable, Hashable {
    /// The notice identity; the outbox keeps one row per identity.
    public var id: String
    public var stepKey: String
    public var channel: String
    public var contact: String?
    public var sendAt: Instant
    public var snapshot: NoticeSnapshot
    /// Written as missed instead of pending (fell due too long ago to catch up).
    public var missed: Bool

    public init(id: String, stepKey: String, channel: String, contact: String?, sendAt: Instant, snapshot: NoticeSnapshot, missed: Bool = false) {
        self.id = id
        self.stepKey = stepKey
        self.channel = channel
        self.contact = contact
        self.sendAt = sendAt
        self.snapshot = snapshot
        self.missed = missed
    }
}
