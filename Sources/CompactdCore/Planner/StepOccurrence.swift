/// One step of one occurrence of a cycle (or one deadline): the thing that gets acknowledged.
public struct StepOccurrence: Sendable, Hashable {
    public var compactID: String
    /// The cycle's id, or `deadline` for a one-off deadline.
    public var cycleID: String
    /// The occurrence's start date in the configured zone (a deadline's due date).
    public var occurrence: LocalDate
    public var stepID: String
    public var stepTitle: String
    /// When the step is due, after moving off weekends and holidays.
    public var dueAt: Instant
    public var dueLocal: LocalDateTime

    public static let deadlineCycleID = "deadline"

    public init(compactID: String, cycleID: String, occurrence: LocalDate, stepID: String, stepTitle: String, dueAt: Instant, dueLocal: LocalDateTime) {
        self.compactID = compactID
        self.cycleID = cycleID
        self.occurrence = occurrence
        self.stepID = stepID
        self.stepTitle = stepTitle
        self.dueAt = dueAt
        self.dueLocal = dueLocal
    }

    /// The stable name of the step occurrence: `bell/summer-reengagement/2025-05-01/kickoff`.
    /// Built from what it means, so it survives restarts and unrelated configuration edits.
    public var key: String { "\(compactID)/\(cycleID)/\(occurrence)/\(stepID)" }
}
