/// A recurring review of a compact, such as the summer re-engagement: each occurrence starts
/// when its calendar expression elapses, and its steps fall due after that.
public struct ReviewCycle: Sendable, Hashable {
    public var id: String
    public var title: String
    /// The expression as written, for messages.
    public var calendarText: String
    public var calendar: CalendarSpec
    /// Occurrences before this date are not planned (e.g. before the compact was approved).
    public var since: LocalDate?
    public var steps: [Step]

    public init(id: String, title: String, calendarText: String, calendar: CalendarSpec, since: LocalDate? = nil, steps: [Step]) {
        self.id = id
        self.title = title
        self.calendarText = calendarText
        self.calendar = calendar
        self.since = since
        self.steps = steps
    }
}
