/// A parsed systemd calendar event expression (systemd.time(7), "Calendar Events").
///
/// Parsing, the normalized form and the next-elapse computation follow systemd's own
/// `calendarspec.c` step for step, so `compactctl calendar` prints what
/// `systemd-analyze calendar` prints; the test suite uses systemd-analyze as its oracle.
public struct CalendarSpec: Hashable, Sendable {
    /// Bit 0 = Monday ... bit 6 = Sunday; -1 = any weekday.
    public var weekdays: Int = -1
    /// nil means `*` (any value).
    public var year: [CalendarComponent]?
    public var month: [CalendarComponent]?
    public var day: [CalendarComponent]?
    public var hour: [CalendarComponent]?
    public var minute: [CalendarComponent]?
    /// Seconds, in microseconds.
    public var microsecond: [CalendarComponent]?
    /// `~`: days count back from the end of the month.
    public var endOfMonth = false
    /// Evaluated in UTC rather than a zone.
    public var utc = false
    /// An explicit IANA zone named at the end of the expression.
    public var timeZone: String?
    /// -1, or 0/1 when the local zone's standard or daylight abbreviation was given.
    public var daylightSavingHint = -1
    /// The abbreviation given with a hint, for the normalized form.
    public var hintAbbreviation: String?

    public init() {}

    static let minYear = 1970
    static let maxYear = 2199
    static let allWeekdays = 127

    mutating func normalize() {
        if timeZone == "UTC" {
            utc = true
            timeZone = nil
        }
        if weekdays <= 0 || weekdays >= Self.allWeekdays { weekdays = -1 }
        if endOfMonth && day == nil { endOfMonth = false }
        year = year.map { chain in
            chain.map { c in
                var c = c
                c.start = Self.fixYear(c.start)
                c.stop = Self.fixYear(c.stop)
                return c
            }
        }
        year = year?.normalizedChain()
        month = month?.normalizedChain()
        day = day?.normalizedChain()
        hour = hour?.normalizedChain()
        minute = minute?.normalizedChain()
        microsecond = microsecond?.normalizedChain()
    }

    /// Two-digit years: 12 means 2012, 89 means 1989.
    static func fixYear(_ value: Int) -> Int {
        if value >= 0 && value < 70 { return value + 2000 }
        if value >= 70 && value < 100 { return value + 1900 }
        return value
    }

    var isValid: Bool {
        if weekdays > Self.allWeekdays { return false }
        return (year ?? []).isValidChain(from: Self.minYear, to: Self.maxYear, endOfMonth: false)
            && (month ?? []).isValidChain(from: 1, to: 12, endOfMonth: false)
            && (day ?? []).isValidChain(from: 1, to: 31, endOfMonth: endOfMonth)
            && (hour ?? []).isValidChain(from: 0, to: 23, endOfMonth: false)
            && (minute ?? []).isValidChain(from: 0, to: 59, endOfMonth: false)
            && (microsecond ?? []).isValidChain(from: 0, to: 60 * 1_000_000 - 1, endOfMonth: false)
    }

    /// Whether the date part (weekday, year, month, day) admits a calendar date, ignoring the
    /// time of day: used for holidays written as calendar expressions.
    public func matchesDate(_ date: LocalDate) -> Bool {
        if weekdays >= 0 && weekdays & (1 << (date.isoWeekday - 1)) == 0 { return false }
        if let year, !Self.chainContains(year, date.year) { return false }
        if let month, !Self.chainContains(month, date.month) { return false }
        if let day {
            if endOfMonth {
                // `~1` is the last day, `~2` the one before it; ranges and repetitions run
                // forward from the converted start, as in systemd.
                let length = CivilCalendar.daysInMonth(year: date.year, month: date.month)
                let converted = day.map { c -> CalendarComponent in
                    var start = length - c.start + 1
                    var stop = c.stop >= 0 ? length - c.stop + 1 : -1
                    if stop > 0 { swap(&start, &stop) }
                    return CalendarComponent(start: start, stop: stop, repeatInterval: c.repeatInterval)
                }
                if !Self.chainContains(converted, date.day) { return false }
            } else if !Self.chainContains(day, date.day) {
                return false
            }
        }
        return true
    }

    static func chainContains(_ chain: [CalendarComponent], _ value: Int) -> Bool {
        chain.contains { c in
            if value == c.start { return true }
            guard c.repeatInterval > 0, value > c.start else { return false }
            if c.stop >= 0 && value > c.stop { return false }
            return (value - c.start) % c.repeatInterval == 0
        }
    }
}
