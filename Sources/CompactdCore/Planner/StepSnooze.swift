/// Someone paused a step occurrence's notices from `at` until `until`; the last notice the
/// pause held back goes out when it ends.
public struct StepSnooze: Sendable, Hashable {
    public var stepKey: String
    public var at: Instant
    public var until: Instant
    public var by: String?
    public var note: String?

    public init(stepKey: String, at: Instant, until: Instant, by: String? = nil, note: String? = nil) {
        self.stepKey = stepKey
        self.at = at
        self.until = until
        self.by = by
        self.note = note
    }
}
