/// What operators have said about step occurrences, as the planner needs it.
public struct PlannerState: Sendable, Hashable {
    public var acknowledgments: [String: StepAcknowledgment]
    public var snoozes: [String: StepSnooze]

    public init(acknowledgments: [StepAcknowledgment] = [], snoozes: [StepSnooze] = []) {
        self.acknowledgments = Dictionary(acknowledgments.map { ($0.stepKey, $0) }, uniquingKeysWith: { $1 })
        self.snoozes = Dictionary(snoozes.map { ($0.stepKey, $0) }, uniquingKeysWith: { a, b in a.at < b.at ? b : a })
    }

    public static let empty = PlannerState()
}
