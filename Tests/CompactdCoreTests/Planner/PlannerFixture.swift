import CompactdCore

/// Small configurations for planner tests, built in code.
enum PlannerFixture {
    static let la = try! ZoneInfo.named("America/Los_Angeles")

    static func at(_ text: String) -> Instant {
        guard let instant = TimestampFormat.parse(text, zone: la) else { fatalError("bad time \(text)") }
        return instant
    }

    static func policy(
        reminders: [String] = ["7d", "1d", "0"], overdue: String? = "7d", limit: Int = 3,
        escalateAfter: Int? = nil, escalateTo: [RecipientReference] = [], shift: BusinessDayShift = .keep
    ) -> ReminderPolicy {
        ReminderPolicy(
            reminders: reminders.map { TimeSpan(parsing: $0)! },
            overdueEvery: overdue.map { TimeSpan(parsing: $0)! },
            overdueLimit: limit, escalateAfter: escalateAfter, escalateTo: escalateTo, shift: shift
        )
    }

    static func cycle(_ id: String = "summer", calendar: String, steps: [Step]) -> ReviewCycle {
        ReviewCycle(id: id, title: id, calendarText: calendar, calendar: try! CalendarSpec(parsing: calendar, localZone: la), steps: steps)
    }

    static func step(_ id: String = "kickoff", due: String = "0", policy: ReminderPolicy = policy()) -> Step {
        Step(id: id, title: id, dueOffset: TimeSpan(parsing: due)!, policy: policy)
    }

    static func compact(_ id: String = "bell", notify: [String] = ["log"], cycles: [ReviewCycle] = [], deadlines: [Deadline] = [], contacts: [Contact] = []) -> Compact {
        Compact(id: id, partner: "City of \(id)", status: .active, contacts: contacts, notify: notify, cycles: cycles, deadlines: deadlines)
    }

    static func configuration(_ compacts: [Compact], holidays: [Holiday] = [], channels: [Channel]? = nil, districtContacts: [Contact] = []) -> Configuration {
        Configuration(
            timeZone: la, statePath: ":memory:", templatesDirectory: "templates",
            businessCalendar: BusinessCalendar(weekend: [6, 7], holidays: holidays),
            channels: channels ?? [Channel(id: "log", kind: .log)],
            contacts: districtContacts, compacts: compacts
        )
    }

    /// The wall-clock reading of a notice in Los Angeles, `YYYY-MM-DD HH:MM:SS`.
    static func local(_ instant: Instant) -> String { la.localDateTime(at: instant).description }
}
