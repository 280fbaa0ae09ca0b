/// A goal measured against the compacts' statuses on a given day.
public struct GoalProgress: Sendable, Hashable {
    public var goal: Goal
    public var active: Int
    /// Days from the evaluation day to the deadline; negative once it has passed.
    public var daysLeft: Int

    public var isMet: Bool { active >= goal.minimumActive }
    public var remaining: Int { max(0, goal.minimumActive - active) }

    /// Counted on the goal's own date: the active compacts approved by then (a compact whose
    /// approval date is not known counts), so a goal past its date keeps the answer it had.
    public init(goal: Goal, compacts: [Compact], today: LocalDate) {
        self.goal = goal
        self.active = compacts.filter { $0.status == .active && ($0.approved.map { $0 <= goal.deadline } ?? true) }.count
        self.daysLeft = Int(goal.deadline.daysSinceEpoch - today.daysSinceEpoch)
    }

    /// `9 of 12 — not met; due 2026-06-30, 153 days ago`
    public var plainly: String {
        let when = daysLeft > 0 ? "due \(goal.deadline), in \(daysLeft) days" : daysLeft == 0 ? "due today, \(goal.deadline)" : "due \(goal.deadline), \(-daysLeft) days ago"
        return "\(active) of \(goal.minimumActive) — \(isMet ? "met" : "not met"); \(when)"
    }

    /// `9 of 12 active compacts by 2026-06-30 (213 days left)`
    public var summary: String {
        let when = daysLeft >= 0 ? "\(daysLeft) days left" : "\(-daysLeft) days past"
        return "\(active) of \(goal.minimumActive) active compacts by \(goal.deadline) (\(when)\(isMet ? ", met" : ""))"
    }
}
