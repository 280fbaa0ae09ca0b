/// Decides every notice due in a window: `(configuration, state, window) -> notices`.
///
/// Pure: no clock, no I/O. The daemon asks it "what falls due between the last run and now,
/// and when is the next one?"; `compactctl agenda` asks it about the coming weeks; tests ask
/// it about years in milliseconds.
public struct Planner: Sendable {
    /// The configuration, held by reference: the planner's closures capture `self`, and a
    /// configuration copied into each (every compact, every month) retained and released each
    /// of its fields, a tenth of planning a year at 10,000 compacts.
    private final class Held: Sendable {
        let configuration: Configuration
        init(_ configuration: Configuration) { self.configuration = configuration }
    }
    private let held: Held

    public var configuration: Configuration { held.configuration }

    public init(configuration: Configuration) {
        self.held = Held(configuration)
    }

    /// Days added around a search window for weekend and holiday moves and DST.
    static let slackSeconds: Int64 = 40 * 86_400

    /// Every notice whose send time lies in `from..<to`, in send-time order (ties in
    /// configuration order: compact, cycle, occurrence, step, kind, recipient).
    public func plan(from: Instant, to: Instant, state: PlannerState = .empty) -> [PlannedNotice] {
        Self.orderedBySendTime(unorderedPlan(from: from, to: to, state: state))
    }

    /// What `plan` lists, in configuration order.
    private func unorderedPlan(from: Instant, to: Instant, state: PlannerState) -> [PlannedNotice] {
        var notices: [PlannedNotice] = []
        var cache = PlanningCache()
        let window = from..<to
        let compactCount = held.configuration.compacts.count
        let snoozeReach = Self.snoozeReach(state, from: from)
        forEachScheduledCompact { index, compact in
            if index == 1 && !notices.isEmpty {
                // Compacts tend to look alike: size the result from the first one to avoid regrowth.
                notices.reserveCapacity(notices.count * compactCount + notices.count)
            }
            var recipients = CompactRecipients(compact)
            forEachStepOccurrence(of: compact, sendWindow: window, snoozedSince: snoozeReach[compact.pointee.id], cache: &cache) { occurrence, policy, cache in
                guard let timed = sendTimes(of: occurrence, policy: policy, window: window, state: state, cache: &cache) else { return }
                // A compact with no everyday recipient sends nothing, escalations included.
                let everyday = recipients.normal(self)
                guard !everyday.isEmpty else { return }
                Self.appendNotices(
                    for: occurrence, sendTimes: timed, recipients: everyday,
                    escalation: recipients.escalation(for: policy, self), window: window, into: &notices
                )
            }
        }
        return notices
    }

    /// What `plan` lists, in the same order, handed over a slice of `sliceDays` at a time,
    /// each slice let go before the next is planned: memory bounded by one slice, not the
    /// window (a year of 100,000 compacts is 25 million notices). A slice's notices are the
    /// window's that fall in it, so the slices in turn, each in send order, are the window's.
    public func forEachNotice(from: Instant, to: Instant, state: PlannerState = .empty, sliceDays: Int64 = 31, _ body: (PlannedNotice) -> Void) {
        forEachSlice(from: from, to: to, state: state, sliceDays: sliceDays) { $0.forEach(body) }
    }

    /// The slices `forEachNotice` hands out a notice at a time, each whole: its notices in
    /// configuration order and their send order, a permutation rather than a sorted copy (a
    /// month of 10,000 compacts is 13 MB of notices, and the copy was the agenda's largest
    /// allocation but one, and a retain and release a notice).
    public func forEachSlice(from: Instant, to: Instant, state: PlannerState = .empty, sliceDays: Int64 = 31, _ body: (PlannedSlice) -> Void) {
        var sliceStart = from
        while sliceStart < to {
            let sliceEnd = min(to, sliceStart.adding(seconds: max(1, sliceDays) * 86_400))
            let notices = unorderedPlan(from: sliceStart, to: sliceEnd, state: state)
            body(PlannedSlice(notices: notices, order: Self.sendOrder(notices)))
            sliceStart = sliceEnd
        }
    }

    /// The send time of the first notice in `from..<to`, what `plan(from:to:state:).first?.sendAt`
    /// is, without keeping or sorting the notices: the daemon only needs to know when to wake
    /// (at 10,000 compacts a 400-day window is 420,000 notices, built and sorted to take one).
    ///
    /// The window ends at the earliest notice found so far: a later compact's notices matter
    /// only if they come before it, so its occurrences are looked for only up to there. One
    /// call over a year then costs about what a pass over the days before the first notice
    /// does, and callers need not try growing windows first (a day, a week, a month, a year:
    /// four passes over every compact when the next notice was months away).
    public func earliestSendTime(from: Instant, to: Instant, state: PlannerState = .empty) -> Instant? {
        var earliest: Instant?
        var scratch: [PlannedNotice] = []
        var cache = PlanningCache()
        let snoozeReach = Self.snoozeReach(state, from: from)
        forEachScheduledCompact { _, compact in
            let window = from..<(earliest ?? to)
            guard !window.isEmpty else { return }
            var recipients = CompactRecipients(compact)
            forEachStepOccurrence(of: compact, sendWindow: window, snoozedSince: snoozeReach[compact.pointee.id], cache: &cache) { occurrence, policy, cache in
                let window = from..<(earliest ?? to)
                guard let timed = sendTimes(of: occurrence, policy: policy, window: window, state: state, cache: &cache) else { return }
                let everyday = recipients.normal(self)
                guard !everyday.isEmpty else { return }
                scratch.removeAll(keepingCapacity: true)
                Self.appendNotices(
                    for: occurrence, sendTimes: timed, recipients: everyday,
                    escalation: recipients.escalation(for: policy, self), window: window, into: &scratch
                )
                for notice in scratch where earliest.map({ notice.sendAt < $0 }) ?? true { earliest = notice.sendAt }
            }
        }
        return earliest
    }

    /// The notices in send order: a stable sort (equal times keep configuration order).
    static func orderedBySendTime(_ notices: [PlannedNotice]) -> [PlannedNotice] {
        let order = sendOrder(notices)
        return notices.withUnsafeBufferPointer { notices in order.map { notices[Int($0)] } }
    }

    /// The positions of `notices` in send order, a stable sort in linear time: many compacts
    /// share a few thousand distinct send times, so notices are counted per time, the times
    /// sorted, and each notice placed after the earlier ones of its time.
    ///
    /// Each notice's time is looked up once, among the last few times seen before the
    /// dictionary: compacts planned one after another repeat the same handful of times, and
    /// three hashed lookups a notice were a sixth of planning a year at 10,000 compacts.
    static func sendOrder(_ notices: [PlannedNotice]) -> [Int32] {
        precondition(notices.count < Int(Int32.max), "a window of more than 2 billion notices")
        guard notices.count > 1 else { return notices.indices.map { Int32($0) } }
        var timeIndex: [Instant: Int] = [:]
        var times: [Instant] = []
        var counts: [Int] = []
        var recent = [(time: Instant, index: Int)](repeating: (Instant(microsecondsSinceEpoch: .min), -1), count: 16)
        var nextRecent = 0
        var indices = [Int32](repeating: 0, count: notices.count)
        notices.withUnsafeBufferPointer { notices in
            for i in notices.indices {
                let time = notices[i].sendAt
                var index = -1
                for entry in recent where entry.time == time {
                    index = entry.index
                    break
                }
                if index < 0 {
                    if let known = timeIndex[time] {
                        index = known
                    } else {
                        index = times.count
                        timeIndex[time] = index
                        times.append(time)
                        counts.append(0)
                    }
                    recent[nextRecent] = (time, index)
                    nextRecent = (nextRecent + 1) & 15
                }
                indices[i] = Int32(index)
                counts[index] += 1
            }
        }
        if times.count == 1 { return notices.indices.map { Int32($0) } }
        var next = [Int](repeating: 0, count: times.count)
        var offset = 0
        for index in times.indices.sorted(by: { times[$0] < times[$1] }) {
            next[index] = offset
            offset += counts[index]
        }
        var order = [Int32](repeating: 0, count: notices.count)
        for i in indices.indices {
            let index = Int(indices[i])
            order[next[index]] = Int32(i)
            next[index] += 1
        }
        return order
    }

    /// Step occurrences (and deadlines) due in `from..<to`, in due order.
    public func stepOccurrences(from: Instant, to: Instant, compactID: String? = nil) -> [StepOccurrence] {
        var result: [StepOccurrence] = []
        forEachStepOccurrence(dueFrom: from, to: to, compactID: compactID) { _, occurrence in result.append(occurrence) }
        result.sort { $0.dueAt < $1.dueAt }
        return result
    }

    /// The step occurrences (and deadlines) `stepOccurrences` lists, compact by compact in the
    /// configuration's order instead of in due order, each with its compact's place in the
    /// configuration, none kept: for a caller that keeps only some of them, or a slice at a
    /// time (the calendar feed).
    public func forEachStepOccurrence(dueFrom from: Instant, to: Instant, compactID: String? = nil, _ body: (_ compact: Int, StepOccurrence) -> Void) {
        var cache = PlanningCache()
        forEachScheduledCompact { index, compact in
            guard compactID == nil || compact.pointee.id == compactID else { return }
            forEachStepOccurrence(of: compact, sendWindow: from..<to, cache: &cache, dueWindowOnly: true) { occurrence, _, _ in
                if occurrence.dueAt >= from && occurrence.dueAt < to { body(index, occurrence) }
            }
        }
    }

    /// For each compact with a snooze that ends at or after `from`: the earliest start of such a
    /// snooze. A snooze moves the last notice it held to its end, which can be months past the
    /// step's own schedule, so the occurrences a window searches (the window, widened by the
    /// steps' offsets and notice spans) would not include the step, and the resumed notice was
    /// never planned; for these compacts the search starts at the snooze's start as well. A step
    /// key starts with its compact's id and a "/" (compact ids hold no "/").
    static func snoozeReach(_ state: PlannerState, from: Instant) -> [String: Instant] {
        var reach: [String: Instant] = [:]
        for snooze in state.snoozes.values where snooze.until >= from && snooze.at < from {
            guard let slash = snooze.stepKey.firstIndex(of: "/") else { continue }
            let compactID = String(snooze.stepKey[..<slash])
            reach[compactID] = min(reach[compactID] ?? snooze.at, snooze.at)
        }
        return reach
    }

    /// Calls `body` with each scheduled compact and its place in the configuration, the compact
    /// read in place through a pointer: copied into a local (or passed straight from the array,
    /// which copies defensively), each field was retained and released, per compact and month
    /// (a sixth of the planning thread's time at 10,000 compacts).
    private func forEachScheduledCompact(_ body: (_ index: Int, _ compact: UnsafePointer<Compact>) -> Void) {
        held.configuration.compacts.withUnsafeBufferPointer { compacts in
            for index in compacts.indices where compacts[index].status.isScheduled {
                body(index, compacts.baseAddress! + index)
            }
        }
    }

    /// Calls `body` for each step occurrence of the compact that could have a notice in the
    /// window, with the step's effective policy. The compact is read in place (`pointee`), as
    /// are its steps: see `forEachScheduledCompact`.
    /// `snoozedSince`: the earliest start of a snooze of this compact's that ends in or after the
    /// window; occurrences are looked for from there too (see `snoozeReach`).
    private func forEachStepOccurrence(
        of compact: UnsafePointer<Compact>,
        sendWindow window: Range<Instant>,
        snoozedSince: Instant? = nil,
        cache: inout PlanningCache,
        dueWindowOnly: Bool = false,
        _ body: (StepOccurrence, ReminderPolicy, inout PlanningCache) -> Void
    ) {
        let zone = held.configuration.timeZone
        let lowerBound = (compact.pointee.termStart ?? compact.pointee.approved).map { cache.instant(for: LocalDateTime(date: $0), zone: zone) }
        let upperBound = compact.pointee.termEnd.map { cache.instant(for: LocalDateTime(date: $0.adding(days: 1)), zone: zone) }
        // Each cycle and deadline read in place, as the compact is: `for cycle in cycles`
        // copied each (retained and released its every field) per compact and slice (4.7 of
        // the 284 million instructions of planning a year at 2,000 compacts: callgrind).
        compact.pointee.cycles.withUnsafeBufferPointer { cycles in
            for c in cycles.indices {
                let cycle = cycles.baseAddress! + c
                // How far before the window an occurrence can start and still have a notice in it,
                // and how far after. (Steps are read in place, `cycle.pointee.steps[s]`, here and
                // below: a copy of each retained and released every field, per compact and slice.)
                var before: Int64 = Self.slackSeconds
                var after: Int64 = Self.slackSeconds
                for s in cycle.pointee.steps.indices {
                    let policy = cycle.pointee.steps[s].policy
                    let overdue = dueWindowOnly ? 0 : (policy.overdueEvery?.maximumSeconds ?? 0) * Int64(policy.overdueLimit)
                    before = max(before, cycle.pointee.steps[s].dueOffset.maximumSeconds + overdue + Self.slackSeconds)
                    let lead = dueWindowOnly ? 0 : policy.longestLead.maximumSeconds
                    after = max(after, lead + Self.slackSeconds)
                }
                var searchStart = min(window.lowerBound, snoozedSince ?? window.lowerBound).adding(seconds: -before)
                let cycleLower = cycle.pointee.since.map { cache.instant(for: LocalDateTime(date: $0), zone: zone) } ?? lowerBound
                if let cycleLower, cycleLower > searchStart { searchStart = cycleLower }
                var searchEnd = window.upperBound.adding(seconds: after)
                if let upperBound, upperBound < searchEnd { searchEnd = upperBound }
                guard searchStart < searchEnd else { continue }
                let starts = cache.occurrences(of: cycle.pointee.calendar, from: searchStart, to: searchEnd, zone: zone)
                for start in starts {
                    for s in cycle.pointee.steps.indices {
                        let due = cache.dueTime(cycle.pointee.steps[s].dueOffset, after: start.local, shift: cycle.pointee.steps[s].policy.shift, calendar: held.configuration.businessCalendar, zone: zone)
                        let occurrence = StepOccurrence(
                            compactID: compact.pointee.id, cycleID: cycle.pointee.id, occurrence: start.local.date,
                            stepID: cycle.pointee.steps[s].id, stepTitle: cycle.pointee.steps[s].title, dueAt: due.instant, dueLocal: due.local,
                            commitments: cycle.pointee.steps[s].commitments
                        )
                        body(occurrence, cycle.pointee.steps[s].policy, &cache)
                    }
                }
            }
        }
        for d in compact.pointee.deadlines.indices {
            let due = cache.dueTime(compact.pointee.deadlines[d].due, shift: compact.pointee.deadlines[d].policy.shift, calendar: held.configuration.businessCalendar, zone: zone)
            let occurrence = StepOccurrence(
                compactID: compact.pointee.id, cycleID: StepOccurrence.deadlineCycleID, occurrence: compact.pointee.deadlines[d].due.date,
                stepID: compact.pointee.deadlines[d].id, stepTitle: compact.pointee.deadlines[d].title, dueAt: due.instant, dueLocal: due.local,
                commitments: compact.pointee.deadlines[d].commitments
            )
            body(occurrence, compact.pointee.deadlines[d].policy, &cache)
        }
    }

    /// The kinds and send times of an occurrence's notices (a snooze applied), when one of them
    /// falls in `window`; nil when none does or the step was acknowledged. Asked before the
    /// compact's recipients are worked out (`CompactRecipients`): most occurrences a slice
    /// searches have no notice in it.
    private func sendTimes(
        of occurrence: StepOccurrence,
        policy: ReminderPolicy,
        window: Range<Instant>,
        state: PlannerState,
        cache: inout PlanningCache
    ) -> (schedule: [(NoticeKind, Instant)], snooze: StepSnooze?)? {
        var snooze: StepSnooze?
        if !state.acknowledgments.isEmpty || !state.snoozes.isEmpty {
            let key = occurrence.key
            if state.acknowledgments[key] != nil { return nil }
            snooze = state.snoozes[key]
        }
        // The send times of the step's notices, before recipients are applied: the same for
        // every compact with this policy and due time, so worked out once per pass. With the
        // escalations whenever the policy escalates: where they reach no one (`appendNotices`)
        // none is sent, so the schedule need not wait for the recipients.
        let escalates = policy.escalateAfter != nil
        let scheduleKey = PlanningCache.ScheduleKey(dueLocal: occurrence.dueLocal, escalates: escalates, policy: policy)
        var schedule: [(NoticeKind, Instant)]
        if let known = cache.schedule(scheduleKey) {
            schedule = known
        } else {
            schedule = self.schedule(policy: policy, dueLocal: occurrence.dueLocal, dueAt: occurrence.dueAt, escalates: escalates, cache: &cache)
            cache.remember(schedule, for: scheduleKey)
        }
        if let snooze {
            schedule = Self.applying(snooze, to: schedule)
        }
        guard schedule.contains(where: { window.contains($0.1) }) else { return nil }
        return (schedule, snooze)
    }

    /// The occurrence's notices in `window`: each send time's to the compact's everyday
    /// recipients, or to its escalation recipients for an escalation. Both callers ask
    /// `sendTimes` first and then the recipients, written out in each: one function for the
    /// three steps (the recipients passed `inout`) cost the planning of a year at 2,000
    /// compacts 7 million more instructions of 200, on the agenda's busier thread.
    private static func appendNotices(
        for occurrence: StepOccurrence,
        sendTimes: (schedule: [(NoticeKind, Instant)], snooze: StepSnooze?),
        recipients: [Recipient],
        escalation: [Recipient],
        window: Range<Instant>,
        into notices: inout [PlannedNotice]
    ) {
        for (kind, sendAt) in sendTimes.schedule where window.contains(sendAt) {
            let targets: [Recipient]
            if case .escalation = kind { targets = escalation } else { targets = recipients }
            let resumed = sendTimes.snooze.map { sendAt == $0.until } ?? false
            for recipient in targets {
                notices.append(PlannedNotice(step: occurrence, kind: kind, recipient: recipient, sendAt: sendAt, resumedFromSnooze: resumed))
            }
        }
    }

    /// The kinds and send times of one step occurrence's notices, due at `dueLocal` (`dueAt`),
    /// under `policy`, before a snooze and recipients apply.
    private func schedule(policy: ReminderPolicy, dueLocal: LocalDateTime, dueAt: Instant, escalates: Bool, cache: inout PlanningCache) -> [(NoticeKind, Instant)] {
        var schedule: [(NoticeKind, Instant)] = []
        schedule.reserveCapacity(policy.reminders.count + policy.overdueLimit)
        for lead in policy.reminders {
            var local = lead.subtracted(from: dueLocal)
            local.date = cache.adjust(local.date, policy.shift, calendar: held.configuration.businessCalendar)
            let sendAt = min(cache.instant(for: local, zone: held.configuration.timeZone), dueAt)
            schedule.append((.reminder(lead: lead), sendAt))
        }
        if let every = policy.overdueEvery, !every.isZero {
            for n in stride(from: 1, through: policy.overdueLimit, by: 1) {
                var local = every.multiplied(by: n).added(to: dueLocal)
                local.date = cache.adjust(local.date, policy.shift, calendar: held.configuration.businessCalendar)
                let sendAt = max(cache.instant(for: local, zone: held.configuration.timeZone), dueAt.adding(microseconds: 1))
                schedule.append((.overdue(number: n), sendAt))
                if let threshold = policy.escalateAfter, n > threshold, escalates {
                    schedule.append((.escalation(number: n), sendAt))
                }
            }
        }
        return schedule
    }

    /// Drops the notices a snooze holds back, except the last of each kind family, which moves
    /// to the snooze's end so the step is not forgotten.
    static func applying(_ snooze: StepSnooze, to schedule: [(NoticeKind, Instant)]) -> [(NoticeKind, Instant)] {
        var kept: [(NoticeKind, Instant)] = []
        var lastHeld: (NoticeKind, Instant)?
        var lastHeldEscalation: (NoticeKind, Instant)?
        for entry in schedule {
            if entry.1 >= snooze.at && entry.1 < snooze.until {
                if case .escalation = entry.0 { lastHeldEscalation = entry } else { lastHeld = entry }
            } else {
                kept.append(entry)
            }
        }
        for held in [lastHeld, lastHeldEscalation].compactMap({ $0 }) {
            kept.append((held.0, snooze.until))
        }
        return kept
    }

    /// The compact's everyday recipients: each enabled channel it names, and for email
    /// channels each of its contacts.
    func normalRecipients(for compact: UnsafePointer<Compact>) -> [Recipient] {
        var result: [Recipient] = []
        for id in compact.pointee.notify {
            guard let channel = held.configuration.channel(id), channel.enabled else { continue }
            if channel.isEmail {
                result += compact.pointee.contacts.map { Recipient(channelID: id, contactID: $0.id) }
            } else {
                result.append(Recipient(channelID: id))
            }
        }
        return result
    }

    /// Who also hears about a step once it is escalated: named channels, and named contacts
    /// through the compact's enabled email channels.
    func escalationRecipients(for policy: ReminderPolicy, in compact: UnsafePointer<Compact>) -> [Recipient] {
        var result: [Recipient] = []
        for reference in policy.escalateTo {
            switch reference {
            case .channel(let id):
                if let channel = held.configuration.channel(id), channel.enabled { result.append(Recipient(channelID: id)) }
            case .contact(let contactID):
                for id in compact.pointee.notify {
                    if let channel = held.configuration.channel(id), channel.enabled, channel.isEmail {
                        result.append(Recipient(channelID: id, contactID: contactID))
                    }
                }
            }
        }
        return result
    }
}
