/// What a notice says about its step.
public enum NoticeKind: Sendable, Hashable {
    /// Ahead of the due time by `lead` (`0`: on the due time).
    case reminder(lead: TimeSpan)
    /// The `number`th notice that the step is past due.
    case overdue(number: Int)
    /// The `number`th overdue notice, sent also to the escalation recipients.
    case escalation(number: Int)

    /// `reminder`, `overdue` or `escalation`: the kind as payloads and filters name it.
    public var name: String {
        switch self {
        case .reminder: "reminder"
        case .overdue: "overdue"
        case .escalation: "escalation"
        }
    }

    /// The kind's part of a notice identity: `remind-7d`, `overdue-2`, `escalate-3`.
    public var identityComponent: String {
        switch self {
        case .reminder(let lead): "remind-\(lead)"
        case .overdue(let n): "overdue-\(n)"
        case .escalation(let n): "escalate-\(n)"
        }
    }

    /// Human wording for tables: `7d before`, `due`, `overdue #2`, `escalation #3`.
    public var label: String {
        switch self {
        case .reminder(let lead): lead.isZero ? "due" : "\(lead) before"
        case .overdue(let n): "overdue #\(n)"
        case .escalation(let n): "escalation #\(n)"
        }
    }
}
