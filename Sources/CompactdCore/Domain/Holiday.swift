/// A day off: one date, or a rule written as a calendar expression (`Mon *-01-15..21` is the
/// third Monday of January).
public struct Holiday: Sendable, Hashable {
    public enum Rule: Sendable, Hashable {
        case date(LocalDate)
        case calendar(CalendarSpec)
    }

    public var name: String
    public var rule: Rule

    public init(name: String, rule: Rule) {
        self.name = name
        self.rule = rule
    }

    public func falls(on date: LocalDate) -> Bool {
        switch rule {
        case .date(let d): d == date
        case .calendar(let spec): spec.matchesDate(date)
        }
    }
}
