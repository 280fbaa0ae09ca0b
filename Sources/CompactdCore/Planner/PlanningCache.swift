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
        // The due time first: keys compared for the memo below mostly differ there, and the
        // synthesized == stops at the first field that differs (the policy is the costly one).
        var dueLocal: LocalDateTime
        var escalates: Bool
        var policy: ReminderPolicy
    }

    private var occurrences: [OccurrenceKey: [Instant]] = [:]
    private var lastOccurrences: (key: OccurrenceKey, instants: [Instant])?
    private var schedules: [ScheduleKey: [(NoticeKind, Instant)]] = [:]
    private var adjusted: [AdjustKey: LocalDate] = [:]
    private var instants: [LocalDateTime: Instant] = [:]

    /// A calendar expression's elapses at or after `from` and at or before `to`.
    mutating func occurrences(of spec: CalendarSpec, from: Instant, to: Instant, zone: ZoneInfo) -> [Instant] {
        let key = OccurrenceKey(spec: spec, from: from, to: to)
        // Compared before hashed, as the schedules are (a calendar expression hashes every field).
        if let last = lastOccurrences, last.key == key { return last.instants }
        if let cached = occurrences[key] {
            lastOccurrences = (key, cached)
            return cached
        }
        var result: [Instant] = []
        var cursor = from.adding(microseconds: -1)
        while let next = spec.nextElapse(after: cursor, localZone: zone), next <= to {
            result.append(next)
            cursor = next
        }
        occurrences[key] = result
        lastOccurrences = (key, result)
        return result
    }

    /// The last few schedules asked for, compared before hashing: hashing a key hashes the
    /// whole policy (every reminder, every escalation recipient), while comparing policies
    /// that share their arrays (the loader shares equal policies) is nearly free, and
    /// compacts planned one after another ask for the same few (a quarter of a year's
    /// planning at 10,000 compacts went to hashing these keys).
    private var recentSchedules: [(key: ScheduleKey, schedule: [(NoticeKind, Instant)])] = []
    private var nextRecent = 0
    private static let recentLimit = 8

    mutating func schedule(_ key: ScheduleKey) -> [(NoticeKind, Instant)]? {
        for recent in recentSchedules where recent.key == key { return recent.schedule }
        guard let known = schedules[key] else { return nil }
        rememberRecent(known, for: key)
        return known
    }

    mutating func remember(_ schedule: [(NoticeKind, Instant)], for key: ScheduleKey) {
        schedules[key] = schedule
        rememberRecent(schedule, for: key)
    }

    private mutating func rememberRecent(_ schedule: [(NoticeKind, Instant)], for key: ScheduleKey) {
        if recentSchedules.count < Self.recentLimit {
            recentSchedules.append((key, schedule))
        } else {
            recentSchedules[nextRecent] = (key, schedule)
            nextRecent = (nextRecent + 1) % Self.recentLimit
        }
    }

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
