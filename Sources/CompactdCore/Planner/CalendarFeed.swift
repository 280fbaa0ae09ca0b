/// The calendar of step due dates and review kickoffs that `compactctl export ics` writes and
/// the HTTP listener serves as a subscription (`/calendar/TOKEN.ics`): one event per step
/// occurrence, stable `UID`s, a done step read "(done, by whom)" instead of "(due)".
///
/// Its events come in calendar order (by start, then UID) a slice of `sliceDays` at a time,
/// each slice planned and ordered as it is reached and let go before the next, and each
/// event's text made only as it is written (`ICalendarStream`): what is held is one slice's
/// `Source`s and the kickoffs, not the year. With every event's text and the calendar held
/// whole, the daemon at 100,000 compacts peaked at 1,177 MiB serving one request of the
/// all-compacts feed; with the year's sources held and the text written as it was made, at
/// 237 MiB.
public struct CalendarFeed: Sendable, Sequence {
    /// How often a subscribed calendar should fetch the feed again.
    public static let refreshMinutes = 60

    /// How much of the calendar is planned and ordered at a time (as the agenda's slices).
    static let sliceDays: Int64 = 31

    /// One event to be: a step's due time, or the kickoff of its review cycle's occurrence.
    public struct Source: Sendable {
        public var start: Instant
        public var uid: String
        public var step: StepOccurrence
        /// The step's compact, its place in the configuration's compacts.
        public var compact: Int
        public var isKickoff: Bool

        /// Calendar order: by start, then UID (UIDs are unique, so the order is total).
        static func precedes(_ a: Source, _ b: Source) -> Bool { (a.start, a.uid) < (b.start, b.uid) }
    }

    let planner: Planner
    let acknowledgments: [String: StepAcknowledgment]
    let from: Instant
    let end: Instant
    let compactID: String?
    /// Every kickoff, in calendar order, found before the first event is given: a kickoff is
    /// on its occurrence's first day, which can be slices before the steps that bring it into
    /// the calendar (a step due 75 days after its cycle starts). One per cycle occurrence, a
    /// fraction of the events.
    let kickoffs: [Source]

    /// The calendar of `from..<to`: each step occurrence due in it, and the kickoff of each
    /// cycle occurrence with a step due in it, if the kickoff is not before `from`.
    public init(configuration c: Configuration, acknowledgments: [String: StepAcknowledgment], from: Instant, to end: Instant, compactID compact: String?) {
        planner = Planner(configuration: c)
        self.acknowledgments = acknowledgments
        self.from = from
        self.end = end
        compactID = compact
        kickoffs = Self.kickoffs(planner: planner, from: from, to: end, compactID: compact)
    }

    /// The kickoffs, found by planning the whole window once and keeping only them. A
    /// compact's step occurrences come together (`Planner.forEachStepOccurrence(dueFrom:)`
    /// goes compact by compact), so the occurrences already given a kickoff are remembered
    /// for one compact at a time.
    static func kickoffs(planner: Planner, from: Instant, to end: Instant, compactID: String?) -> [Source] {
        struct Occurrence: Hashable {
            var cycle: String
            var date: LocalDate
        }
        let c = planner.configuration
        var kickoffs: [Source] = []
        var place = -1
        var seen: Set<Occurrence> = []
        planner.forEachStepOccurrence(dueFrom: from, to: end, compactID: compactID) { compact, step in
            if compact != place {
                place = compact
                seen.removeAll(keepingCapacity: true)
            }
            guard c.compacts[compact].cycles.contains(where: { $0.id == step.cycleID }),
                  seen.insert(Occurrence(cycle: step.cycleID, date: step.occurrence)).inserted else { return }
            let start = c.timeZone.instant(for: LocalDateTime(date: step.occurrence, hour: 9))
            guard start >= from else { return }
            // "cycle-start:" cannot collide with a step key: ids have no colon.
            let uid = "cycle-start:\(c.compacts[compact].id)/\(step.cycleID)/\(step.occurrence)@compactd"
            kickoffs.append(Source(start: start, uid: uid, step: step, compact: compact, isKickoff: true))
        }
        kickoffs.sort(by: Source.precedes)
        return kickoffs
    }

    /// The sources in calendar order, a slice at a time.
    public struct Iterator: IteratorProtocol {
        let feed: CalendarFeed
        var sliceStart: Instant
        var slice: [Source] = []
        var position = 0
        var nextKickoff = 0

        public mutating func next() -> Source? {
            while position == slice.count {
                guard sliceStart < feed.end || nextKickoff < feed.kickoffs.count else { return nil }
                planSlice()
            }
            defer { position += 1 }
            return slice[position]
        }

        /// The next slice's sources: its step occurrences and the kickoffs that start in it
        /// (the last slice takes the rest: a kickoff can start after the window's end when a
        /// step falls due just before it, earlier on the same day), in calendar order. Each
        /// slice's sources start where the one before ends, so the slices in turn are in
        /// calendar order.
        mutating func planSlice() {
            let sliceEnd = Swift.min(feed.end, sliceStart.adding(seconds: CalendarFeed.sliceDays * 86_400))
            slice.removeAll(keepingCapacity: true)
            position = 0
            if sliceStart < sliceEnd {
                feed.planner.forEachStepOccurrence(dueFrom: sliceStart, to: sliceEnd, compactID: feed.compactID) { compact, step in
                    slice.append(Source(start: step.dueAt, uid: step.key + "@compactd", step: step, compact: compact, isKickoff: false))
                }
            }
            let last = sliceEnd >= feed.end
            while nextKickoff < feed.kickoffs.count, last || feed.kickoffs[nextKickoff].start < sliceEnd {
                slice.append(feed.kickoffs[nextKickoff])
                nextKickoff += 1
            }
            slice.sort(by: Source.precedes)
            sliceStart = sliceEnd
        }
    }

    public func makeIterator() -> Iterator { Iterator(feed: self, sliceStart: from) }

    /// The event a source stands for, its text made now.
    public func event(_ source: Source) -> ICalendarWriter.Event {
        let step = source.step
        let compact = planner.configuration.compacts[source.compact]
        let partner = compact.partner
        let cycle = compact.cycles.first { $0.id == step.cycleID }
        if source.isKickoff, let cycle {
            return .init(uid: source.uid, start: source.start, minutes: 60, summary: "\(partner): \(cycle.title) begins",
                         description: "Review cycle \(cycle.title) of the Education Compact with the \(partner).")
        }
        let commitments = compact.commitments.map(\.title)
        return .init(
            uid: source.uid,
            start: source.start, minutes: 30,
            summary: "\(partner): \(step.stepTitle) (\(acknowledgments[step.key].map { "done, \($0.by ?? "acknowledged")" } ?? "due"))",
            description: "Education Compact with the \(partner)\n\(cycle?.title ?? "Deadline") \(step.occurrence)\nCommitments:\n" + commitments.map { "- \($0)" }.joined(separator: "\n")
        )
    }

    /// Every event, its text made as it is asked for.
    public var events: LazyMapSequence<CalendarFeed, ICalendarWriter.Event> { lazy.map(event) }
}
