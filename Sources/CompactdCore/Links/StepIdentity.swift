/// A step occurrence's key taken apart (`carson/summer-reengagement/2027-05-01/kickoff`, or
/// `carson/deadline/2026-09-30/budget` for a one-off deadline), and what the configuration says
/// of it: title, commitments, policy. The action pages and links read a step from a token's key
/// with this, without planning.
public struct StepIdentity: Sendable, Hashable {
    public var compactID: String
    public var cycleID: String
    public var occurrence: LocalDate
    public var stepID: String

    public init?(key: String) {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, !parts[0].isEmpty, !parts[1].isEmpty, !parts[3].isEmpty, let date = LocalDate(parsing: parts[2]) else { return nil }
        compactID = parts[0]
        cycleID = parts[1]
        occurrence = date
        stepID = parts[3]
    }

    public var key: String { "\(compactID)/\(cycleID)/\(occurrence)/\(stepID)" }

    public var isDeadline: Bool { cycleID == StepOccurrence.deadlineCycleID }

    /// The step or deadline as configured now; nil when it no longer is.
    public func described(in configuration: Configuration) -> (compact: Compact, cycleTitle: String?, title: String, commitments: [String], policy: ReminderPolicy)? {
        guard let compact = configuration.compact(compactID) else { return nil }
        if isDeadline {
            guard let deadline = compact.deadlines.first(where: { $0.id == stepID }) else { return nil }
            return (compact, nil, deadline.title, deadline.commitments, deadline.policy)
        }
        guard let cycle = compact.cycles.first(where: { $0.id == cycleID }), let step = cycle.steps.first(where: { $0.id == stepID }) else { return nil }
        return (compact, cycle.title, step.title, step.commitments, step.policy)
    }
}
