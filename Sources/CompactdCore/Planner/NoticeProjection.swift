/// What compactd will send, from now on: the one answer `compactctl agenda` prints, the daemon
/// arms its timer for, and the agenda-equals-daemon test holds the dispatcher to.
///
/// The planner alone says what the configuration asks for; this adds what the state says:
/// acknowledged steps send nothing, a snooze holds a step's notices to its end, and a notice
/// that fell due within the catch-up window but is not in the outbox yet goes out at the next
/// pass, that is now.
public struct NoticeProjection: Sendable {
    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// What happens to a notice the configuration plans.
    public enum Fate: Sendable, Hashable {
        case willBeSent
        /// Its step was acknowledged: never sent.
        case acknowledged(StepAcknowledgment)
        /// A snooze holds it; the last one held goes out when the snooze ends.
        case heldBySnooze(StepSnooze)
    }

    /// The start of the catch-up window at `now`: older notices are missed, not sent.
    public func catchUpStart(now: Instant) -> Instant {
        let start = configuration.catchUp.subtracted(from: LocalDateTime(utcSeconds: now.secondsSinceEpoch))
        return Instant(secondsSinceEpoch: start.secondsAsIfUTC)
    }

    /// Every notice that will be sent in `now..<to`, in send order. `written` holds the ids
    /// already in the outbox (sent, failed or waiting): those are not projected again, and
    /// the rest that fell due within the catch-up window are projected at `now`.
    public func upcoming(now: Instant, to: Instant, state: PlannerState, written: Set<String>) -> [PlannedNotice] {
        Planner.orderedBySendTime(unorderedUpcoming(now: now, to: to, state: state, written: written))
    }

    /// What `upcoming` lists, not yet in send order.
    private func unorderedUpcoming(now: Instant, to: Instant, state: PlannerState, written: Set<String>) -> [PlannedNotice] {
        var result: [PlannedNotice] = []
        for var notice in Planner(configuration: configuration).plan(from: catchUpStart(now: now), to: to, state: state) {
            if notice.sendAt < now {
                guard !written.contains(notice.id) else { continue }
                notice.sendAt = now
            }
            result.append(notice)
        }
        return result
    }

    /// What `upcoming` lists, handed over in the same order a slice of `sliceDays` at a time,
    /// each slice let go before the next is planned: memory bounded by one slice instead of
    /// the whole window (at 10,000 compacts a 400-day agenda is 420,000 notices). A window's
    /// notices are the longer window's that fall in it, so the slices' notices, each slice in
    /// send order, are the whole window's in send order; only the first slice has notices from
    /// the catch-up window (moved to `now`).
    public func forEachUpcoming(now: Instant, to: Instant, state: PlannerState, written: Set<String>, sliceDays: Int64 = 31, _ body: (PlannedNotice) -> Void) {
        forEachUpcomingSlice(now: now, to: to, state: state, written: written, sliceDays: sliceDays) { $0.forEach(body) }
    }

    /// The slices `forEachUpcoming` hands out a notice at a time, each whole
    /// (`Planner.forEachSlice`), for a caller that hands them to another thread.
    public func forEachUpcomingSlice(now: Instant, to: Instant, state: PlannerState, written: Set<String>, sliceDays: Int64 = 31, _ body: (PlannedSlice) -> Void) {
        let firstEnd = min(to, now.adding(seconds: max(1, sliceDays) * 86_400))
        let first = unorderedUpcoming(now: now, to: firstEnd, state: state, written: written)
        body(PlannedSlice(notices: first, order: Planner.sendOrder(first)))
        Planner(configuration: configuration).forEachSlice(from: firstEnd, to: to, state: state, sliceDays: sliceDays, body)
    }

    /// The first `count` notices `upcoming` lists in `now..<to`, in the same order, found in
    /// slices of a day, then two, four, ... days, each in send order, until `count` are found
    /// or `to` is reached, instead of the whole window: the status overview shows 25, and at
    /// 100,000 compacts a month can hold 600,000 notices (the daemon's peak for one overview
    /// went from 114 to 350 MiB with them). As in `forEachUpcoming`, only the first slice has
    /// the notices of the catch-up window.
    public func first(_ count: Int, now: Instant, to: Instant, state: PlannerState, written: Set<String>) -> [PlannedNotice] {
        var sliceEnd = min(to, now.adding(seconds: 86_400))
        var found = upcoming(now: now, to: sliceEnd, state: state, written: written)
        var days: Int64 = 1
        let planner = Planner(configuration: configuration)
        while found.count < count && sliceEnd < to {
            days *= 2
            let sliceStart = sliceEnd
            sliceEnd = min(to, sliceStart.adding(seconds: days * 86_400))
            planner.forEachNotice(from: sliceStart, to: sliceEnd, state: state, sliceDays: days) { found.append($0) }
        }
        return Array(found.prefix(count))
    }

    /// The first notice `upcoming` would list within `horizonDays`, without planning the horizon:
    /// a notice that fell due within the catch-up window and is not in the outbox goes out now,
    /// before anything later, so the first of those (in send order) is the next; else the first
    /// send time from now is found by `Planner.earliestSendTime`, which keeps no notice, and
    /// the notices at that second are planned alone. At 10,000 compacts whose next notices are
    /// months away, planning growing windows built and sorted 420,000 notices to take one.
    public func next(now: Instant, state: PlannerState, written: Set<String>, horizonDays: Int64 = 800) -> PlannedNotice? {
        let planner = Planner(configuration: configuration)
        let missedFrom = catchUpStart(now: now)
        if missedFrom < now {
            for var notice in planner.plan(from: missedFrom, to: now, state: state) where !written.contains(notice.id) {
                notice.sendAt = now
                return notice
            }
        }
        // One pass over the horizon: `earliestSendTime` narrows its own window as it finds
        // notices, so shorter windows first only added passes.
        guard let first = planner.earliestSendTime(from: now, to: now.adding(seconds: horizonDays * 86_400), state: state) else { return nil }
        if let notice = planner.plan(from: first, to: first.adding(seconds: 1), state: state).first, notice.sendAt == first {
            return notice
        }
        // Not expected (the earliest time and the plan agree; a test holds them to it): the
        // slow way, growing windows, rather than a wrong answer.
        for days in [1, 7, 31, 400, horizonDays] where days <= horizonDays {
            if let notice = upcoming(now: now, to: now.adding(seconds: days * 86_400), state: state, written: written).first { return notice }
        }
        return nil
    }

    /// Every notice the configuration plans in `from..<to`, each with its fate under `state`
    /// (`agenda --all`), handed over a slice of `sliceDays` at a time (each in send order), each
    /// let go before the next is planned: the whole window held, at 10,000 compacts `agenda
    /// --all` over a year took 207 MiB. A notice of a snoozed step is held unless the state's plan sends it
    /// somewhere in the window (the last one held goes out when the snooze ends, maybe in a
    /// later slice): those steps' notices the state sends are found first, in a pass of their
    /// own, only when something is snoozed.
    public func forEachSliceWithFates(from: Instant, to: Instant, state: PlannerState, sliceDays: Int64 = 31, _ body: ([(notice: PlannedNotice, fate: Fate)]) -> Void) {
        let planner = Planner(configuration: configuration)
        var sentOfSnoozed: Set<String> = []
        if !state.snoozes.isEmpty {
            planner.forEachSlice(from: from, to: to, state: state, sliceDays: sliceDays) { slice in
                slice.forEach { notice in
                    if state.snoozes[notice.step.key] != nil { sentOfSnoozed.insert(notice.id) }
                }
            }
        }
        var fated: [(notice: PlannedNotice, fate: Fate)] = []
        planner.forEachSlice(from: from, to: to, sliceDays: sliceDays) { slice in
            fated.removeAll(keepingCapacity: true)
            fated.reserveCapacity(slice.count)
            slice.forEach { notice in
                if let ack = state.acknowledgments[notice.step.key] {
                    fated.append((notice, .acknowledged(ack)))
                } else if let snooze = state.snoozes[notice.step.key], !sentOfSnoozed.contains(notice.id) {
                    fated.append((notice, .heldBySnooze(snooze)))
                } else {
                    fated.append((notice, .willBeSent))
                }
            }
            body(fated)
        }
    }
}
