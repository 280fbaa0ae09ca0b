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

    /// A calendar expression's elapse, and the wall-clock reading it shows in the pass's zone.
    typealias Start = (instant: Instant, local: LocalDateTime)

    private var occurrences: [OccurrenceKey: [Start]] = [:]
    private var lastOccurrences: (key: OccurrenceKey, starts: [Start])?
    private var schedules: [ScheduleKey: [(NoticeKind, Instant)]] = [:]
    private var adjusted: [AdjustKey: LocalDate] = [:]
    private var instants: [LocalDateTime: Instant] = [:]

    /// A calendar expression's elapses at or after `from` and at or before `to`, each with its
    /// local reading (read once here, not once per compact sharing the expression).
    mutating func occurrences(of spec: CalendarSpec, from: Instant, to: Instant, zone: ZoneInfo) -> [Start] {
        let key = OccurrenceKey(spec: spec, from: from, to: to)
        // Compared before hashed, as the schedules are (a calendar expression hashes every field).
        if let last = lastOccurrences, last.key == key { return last.starts }
        if let cached = occurrences[key] {
            lastOccurrences = (key, cached)
            return cached
        }
        var result: [Start] = []
        var cursor = from.adding(microseconds: -1)
        while let next = spec.nextElapse(after: cursor, localZone: zone), next <= to {
            result.append((next, zone.localDateTime(at: next)))
            cursor = next
        }
        occurrences[key] = result
        lastOccurrences = (key, result)
        return result
    }

    /// A step's due time by start, offset and shift: compacts planned one after another repeat
    /// the same few steps from the same starts, and adding the offset, moving off weekends and
    /// resolving the wall-clock time (two hashed lookups) was a tenth of planning a year at
    /// 10,000 compacts.
    private struct DueTimeKey: Equatable {
        var start: LocalDateTime
        var offset: TimeSpan
        var shift: BusinessDayShift
    }
    private var recentDueTimes = RecentEntries<DueTimeKey, (local: LocalDateTime, instant: Instant)>(limit: 8)

    /// A step's due time `offset` after `start`, moved off weekends and holidays by `shift`
    /// (keeping its time of day), and the instant it names in `zone`.
    mutating func dueTime(_ offset: TimeSpan, after start: LocalDateTime, shift: BusinessDayShift, calendar: BusinessCalendar, zone: ZoneInfo) -> (local: LocalDateTime, instant: Instant) {
        let key = DueTimeKey(start: start, offset: offset, shift: shift)
        if let due = recentDueTimes.value(for: key) { return due }
        let due = dueTime(offset.added(to: start), shift: shift, calendar: calendar, zone: zone)
        recentDueTimes.remember(due, for: key)
        return due
    }

    /// `local` moved off weekends and holidays by `shift`, keeping its time of day, and the
    /// instant it names in `zone`.
    mutating func dueTime(_ local: LocalDateTime, shift: BusinessDayShift, calendar: BusinessCalendar, zone: ZoneInfo) -> (local: LocalDateTime, instant: Instant) {
        var adjusted = local
        adjusted.date = adjust(local.date, shift, calendar: calendar)
        return (adjusted, instant(for: adjusted, zone: zone))
    }

    /// The last few schedules asked for, compared before hashing: hashing a key hashes the
    /// whole policy (every reminder, every escalation recipient), while comparing policies
    /// that share their arrays (the loader shares equal policies) is nearly free, and
    /// compacts planned one after another ask for the same few (a quarter of a year's
    /// planning at 10,000 compacts went to hashing these keys). Written out rather than a
    /// `RecentEntries`: through it each key, a whole policy, was copied to be compared
    /// (planning 25 to 57 million instructions at 2,000 compacts for these lookups).
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

    /// `zone.instant(for: local)`, remembered. The last few asked for are compared first: each
    /// compact asks for its approval or term start and its cycles' first dates in every slice,
    /// and those mostly repeat from one compact to the next.
    private var recentInstants = RecentEntries<LocalDateTime, Instant>(limit: 4)

    mutating func instant(for local: LocalDateTime, zone: ZoneInfo) -> Instant {
        if let recent = recentInstants.value(for: local) { return recent }
        let result: Instant
        if let cached = instants[local] {
            result = cached
        } else {
            result = zone.instant(for: local)
            instants[local] = result
        }
        recentInstants.remember(result, for: local)
        return result
    }
}
