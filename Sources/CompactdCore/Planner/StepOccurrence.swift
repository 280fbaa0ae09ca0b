/// One step of one occurrence of a cycle (or one deadline): the thing that gets acknowledged.
///
/// A final class, immutable: all the notices of one step occurrence (reminders, overdue
/// notices, each recipient) share one instance, which keeps a year's plan for ten thousand
/// compacts to a few hundred megabytes instead of a gigabyte.
public final class StepOccurrence: Sendable, Hashable, CustomStringConvertible {
    public let compactID: String
    /// The cycle's id, or `deadline` for a one-off deadline.
    public let cycleID: String
    /// The occurrence's start date in the configured zone (a deadline's due date).
    public let occurrence: LocalDate
    public let stepID: String
    public let stepTitle: String
    /// When the step is due, after moving off weekends and holidays.
    public let dueAt: Instant
    public let dueLocal: LocalDateTime
    /// The ids of the commitments the step names (empty: the step is about all of the
    /// compact's), carried from the step so a notice's snapshot need not find the step again
    /// among the compact's (a scan of every deadline, per notice, in a compact with many).
    public let commitments: [String]

    public static let deadlineCycleID = "deadline"

    public init(
        compactID: String, cycleID: String, occurrence: LocalDate, stepID: String, stepTitle: String, dueAt: Instant, dueLocal: LocalDateTime,
        commitments: [String] = []
    ) {
        self.compactID = compactID
        self.cycleID = cycleID
        self.occurrence = occurrence
        self.stepID = stepID
        self.stepTitle = stepTitle
        self.dueAt = dueAt
        self.dueLocal = dueLocal
        self.commitments = commitments
    }

    /// The stable name of the step occurrence: `bell/summer-reengagement/2025-05-01/kickoff`.
    /// Built from what it means, so it survives restarts and unrelated configuration edits.
    /// (Its bytes are written straight into the string's storage: interpolation, or appending
    /// the four parts, cost 2,200 to 2,900 instructions a key, and agenda makes one per step
    /// occurrence.)
    public var key: String {
        let date = occurrence.description
        let count = compactID.utf8.count + cycleID.utf8.count + date.utf8.count + stepID.utf8.count + 3
        return String(unsafeUninitializedCapacity: count) { bytes in
            var end = bytes[0...].initialize(fromContentsOf: compactID.utf8)
            bytes[end] = UInt8(ascii: "/")
            end = bytes[(end + 1)...].initialize(fromContentsOf: cycleID.utf8)
            bytes[end] = UInt8(ascii: "/")
            end = bytes[(end + 1)...].initialize(fromContentsOf: date.utf8)
            bytes[end] = UInt8(ascii: "/")
            return bytes[(end + 1)...].initialize(fromContentsOf: stepID.utf8)
        }
    }

    public var description: String { key }

    public static func == (lhs: StepOccurrence, rhs: StepOccurrence) -> Bool {
        lhs === rhs || (lhs.compactID == rhs.compactID && lhs.cycleID == rhs.cycleID && lhs.occurrence == rhs.occurrence
            && lhs.stepID == rhs.stepID && lhs.stepTitle == rhs.stepTitle && lhs.dueAt == rhs.dueAt && lhs.dueLocal == rhs.dueLocal && lhs.commitments == rhs.commitments)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(compactID)
        hasher.combine(cycleID)
        hasher.combine(occurrence)
        hasher.combine(stepID)
    }
}
