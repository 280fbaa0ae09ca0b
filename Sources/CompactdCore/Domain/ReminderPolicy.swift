/// When a step's notices go out: reminders before it is due, overdue notices after, and
/// escalation when the overdue notices go unanswered.
public struct ReminderPolicy: Sendable, Hashable {
    /// How long before the due time each reminder goes out; `0` is a reminder on the due time.
    public var reminders: [TimeSpan]
    /// The interval between overdue notices; nil for none.
    public var overdueEvery: TimeSpan?
    /// At most this many overdue notices for one step occurrence.
    public var overdueLimit: Int
    /// After this many overdue notices, later ones also go to `escalateTo`; nil never escalates.
    public var escalateAfter: Int?
    public var escalateTo: [RecipientReference]
    /// What happens to a notice that falls on a weekend or holiday.
    public var shift: BusinessDayShift

    public init(
        reminders: [TimeSpan] = [],
        overdueEvery: TimeSpan? = nil,
        overdueLimit: Int = 6,
        escalateAfter: Int? = nil,
        escalateTo: [RecipientReference] = [],
        shift: BusinessDayShift = .before
    ) {
        self.reminders = reminders
        self.overdueEvery = overdueEvery
        self.overdueLimit = overdueLimit
        self.escalateAfter = escalateAfter
        self.escalateTo = escalateTo
        self.shift = shift
    }

    /// compactd's built-in default when the configuration sets none.
    public static let standard = ReminderPolicy(
        reminders: [TimeSpan(days: 30), TimeSpan(days: 7), TimeSpan(days: 1), .zero],
        overdueEvery: TimeSpan(days: 7),
        overdueLimit: 6,
        escalateAfter: 2,
        escalateTo: [],
        shift: .before
    )

    /// The longest reminder lead, bounding how early a step's first notice can be.
    public var longestLead: TimeSpan {
        reminders.max { $0.maximumSeconds < $1.maximumSeconds } ?? .zero
    }
}
