/// A goal measured against the compacts' statuses on a given day.
public struct GoalProgress: Sendable, Hashable {
    public var goal: Goal
    public var active: Int
    /// Days from the evaluation day to the deadline; negative once it has passed.
    public var daysLeft: Int

    public var isMet: Bool { active >= goal.minimumActive }
    public var remaining: Int { max(0, goal.minimumActive - active) }

    public init(goal: Goal, compacts: [Compact], today: LocalDate) {
        self.goal = goal
        self.active = compacts.filter { $0.status == .active }.count
        self.daysLeft = Int(goal.deadline.daysSinceEpoch - today.daysSinceEpoch)
    }

    /// `9 of 12 active compacts by 2026-06-30 (213 days left)`
    public var summary: String {
        let when = daysLeft >= 0 ? "\(daysLeft) days left" : "\(-daysLeft) days past"
        return "\(active) of \(goal.minimumActive) active compacts by \(goal.deadline) (\(when)\(isMet ? ", met" : ""))"
    }
}
