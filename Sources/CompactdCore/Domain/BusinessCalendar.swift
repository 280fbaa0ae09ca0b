/// Which days are working days: not a weekend day, not a holiday.
public struct BusinessCalendar: Sendable, Hashable {
    /// ISO weekdays (1 = Monday ... 7 = Sunday) that are not working days.
    public var weekend: Set<Int>
    public var holidays: [Holiday]

    public init(weekend: Set<Int> = [6, 7], holidays: [Holiday] = []) {
        self.weekend = weekend
        self.holidays = holidays
    }

    public func isBusinessDay(_ date: LocalDate) -> Bool {
        !weekend.contains(date.isoWeekday) && !holidays.contains { $0.falls(on: date) }
    }

    /// Moves a date off weekends and holidays in the direction the shift says. Gives up after
    /// a month of consecutive days off (a misconfiguration) and keeps the date.
    public func adjust(_ date: LocalDate, _ shift: BusinessDayShift) -> LocalDate {
        guard shift != .keep, weekend.count < 7 else { return date }
        let step = shift == .before ? -1 : 1
        var candidate = date
        for _ in 0..<31 {
            if isBusinessDay(candidate) { return candidate }
            candidate = candidate.adding(days: step)
        }
        return date
    }
}
