/// Someone said a step occurrence is done: no more reminders, overdue notices or escalations.
public struct StepAcknowledgment: Sendable, Hashable {
    public var stepKey: String
    public var at: Instant
    public var by: String?
    public var note: String?

    public init(stepKey: String, at: Instant, by: String? = nil, note: String? = nil) {
        self.stepKey = stepKey
        self.at = at
        self.by = by
        self.note = note
    }
}
