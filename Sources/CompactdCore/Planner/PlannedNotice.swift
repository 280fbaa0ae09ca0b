/// One notice the planner says must go out: which step, what kind, to whom, and when.
public struct PlannedNotice: Sendable, Hashable {
    public var step: StepOccurrence
    public var kind: NoticeKind
    public var recipient: Recipient
    public var sendAt: Instant
    /// Set when a snooze moved the notice to its end.
    public var resumedFromSnooze: Bool

    public init(step: StepOccurrence, kind: NoticeKind, recipient: Recipient, sendAt: Instant, resumedFromSnooze: Bool = false) {
        self.step = step
        self.kind = kind
        self.recipient = recipient
        self.sendAt = sendAt
        self.resumedFromSnooze = resumedFromSnooze
    }

    /// The notice's stable identity:
    /// `bell/summer-reengagement/2025-05-01/kickoff/remind-7d/district-log`.
    ///
    /// It names the compact, cycle, occurrence date, step, reminder offset or overdue number,
    /// and recipient, and nothing else, so the same reminder keeps its identity across
    /// restarts and across reloads that did not change it. The outbox and the idempotency keys
    /// sent to receivers are derived from it.
    public var id: String { Self.id(stepKey: step.key, kind: kind.identityComponent, recipient: recipient) }

    /// `id` from its parts already written (`agenda` writes hundreds of thousands, and keeps
    /// the step keys and kinds it has written).
    /// (Written straight into the string's storage, as `StepOccurrence.key` is.)
    public static func id(stepKey: String, kind: String, recipient: Recipient) -> String {
        let recipient = recipient.description
        return String(unsafeUninitializedCapacity: stepKey.utf8.count + kind.utf8.count + recipient.utf8.count + 2) { bytes in
            var end = bytes[0...].initialize(fromContentsOf: stepKey.utf8)
            bytes[end] = UInt8(ascii: "/")
            end = bytes[(end + 1)...].initialize(fromContentsOf: kind.utf8)
            bytes[end] = UInt8(ascii: "/")
            return bytes[(end + 1)...].initialize(fromContentsOf: recipient.utf8)
        }
    }
}
