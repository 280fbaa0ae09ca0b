/// Memory for one planning pass. Thousands of compacts share a few calendar expressions,
/// due dates and send times, so each expression is walked, each day checked against the
/// holidays, each wall-clock time resolved in the zone, and each step's notice times worked
/// out once per pass, not once per notice.
struct PlanningCache {
    private struct OccurrenceKey: Hashable {
        var spec: CalendarSpec
        var from: Instant
        var to: Instant
    }

    private struct AdjustKey: Hashable {
        var date: LocalDate
        var shift: BusinessDayShift
    }

    /// What one step occurrence's notices are, before its state and recipients: the same for
    /// every compact whose step has this policy and due time (a template's compacts all do).
    /// The due instant follows from the local due time in the pass's zone.
    struct ScheduleKey: Hashable {
        var policy: ReminderPolicy
        var dueLocal: LocalDateTime
        var escalates: Bool
    }

    private var occurrences: [OccurrenceKey: [Instant]] = [:]
    private var schedules: [ScheduleKey: [(NoticeKind, Instant)]] = [:]
    private var adjusted: [AdjustKey: LocalDate] = [:]
    private var instants: [LocalDateTime: Instant] = [:]

    /// A calendar expression's elapses at or after `from` and at or before `to`.
    mutating func occurrences(of spec: CalendarSpec, from: Instant, to: Instant, zone: ZoneInfo) -> [Instant] {
        let key = OccurrenceKey(spec: spec, from: from, to: to)
        if let cached = occurrences[key] { return cached }
        var result: [Instant] = []
        var cursor = from.adding(microseconds: -1)
        while let next = spec.nextElapse(after: cursor, localZone: zone), next <= to {
            result.append(next)
            cursor = next
        }
        occurrences[key] = result
        return result
    }

    func schedule(_ key: ScheduleKey) -> [(NoticeKind, Instant)]? { schedules[key] }

    mutating func remember(_ schedule: [(NoticeKind, Instant)], for key: ScheduleKey) { schedules[key] = schedule }

    /// `calendar.adjust(date, shift)`, remembered.
    mutating func adjust(_ date: LocalDate, _ shift: BusinessDayShift, calendar: BusinessCalendar) -> LocalDate {
        if shift == .keep { return date }
        let key = AdjustKey(date: date, shift: shift)
        if let cached = adjusted[key] { return cached }
        let result = calendar.adjust(date, shift)
        adjusted[key] = result
        return result
    }

    /// `zone.instant(for: local)`, remembered.
    mutating func instant(for local: LocalDateTime, zone: ZoneInfo) -> Instant {
        if let cached = instants[local] { return cached }
        let result = zone.instant(for: local)
        instants[local] = result
        return result
    }
}
