/// A one-off date a compact must meet, with the same reminders as a step.
public struct Deadline: Sendable, Hashable {
    public var id: String
    public var title: String
    public var due: LocalDateTime
    public var policy: ReminderPolicy
    public var commitments: [String]

    public init(id: String, title: String, due: LocalDateTime, policy: ReminderPolicy, commitments: [String] = []) {
        self.id = id
        self.title = title
        self.due = due
        self.policy = policy
        self.commitments = commitments
    }
}
