/// One step of a review cycle, due at an offset from the occurrence's start: "kickoff
/// meeting, 2 weeks after the cycle opens".
public struct Step: Sendable, Hashable {
    public var id: String
    public var title: String
    /// How long after the occurrence starts the step is due (`0`, `+14d`, `+1M`).
    public var dueOffset: TimeSpan
    public var policy: ReminderPolicy
    /// Ids of the compact's commitments this step concerns; empty means all of them.
    public var commitments: [String]

    public init(id: String, title: String, dueOffset: TimeSpan, policy: ReminderPolicy, commitments: [String] = []) {
        self.id = id
        self.title = title
        self.dueOffset = dueOffset
        self.policy = policy
        self.commitments = commitments
    }
}
