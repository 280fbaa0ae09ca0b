/// The calendar of step due dates and review kickoffs that `compactctl export ics` writes and
/// the HTTP listener serves as a subscription (`/calendar/TOKEN.ics`): one event per step
/// occurrence, stable `UID`s, a done step read "(done, by whom)" instead of "(due)".
///
/// What the calendar holds is worked out first as `Source`s (a time, a UID and the step
/// occurrence: what ordering needs), and each event's text only as it is written
/// (`ICalendarStream`): with every event's text and the calendar held whole, the daemon at
/// 100,000 compacts peaked at 1,177 MiB serving one request of the all-compacts feed; written
/// as it is made, at 237 MiB.
public struct CalendarFeed: Sendable {
    /// How often a subscribed calendar should fetch the feed again.
    public static let refreshMinutes = 60

    /// One event to be: a step's due time, or the kickoff of its review cycle's occurrence.
    public struct Source: Sendable {
        public var start: Instant
        public var uid: String
        public var step: StepOccurrence
        /// The step's compact, its place in the configuration's compacts.
        public var compact: Int
        public var isKickoff: Bool
    }

    let configuration: Configuration
    let acknowledgments: [String: StepAcknowledgment]
    /// In calendar order: by start, then UID.
    public let sources: [Source]

    public init(configuration c: Configuration, acknowledgments: [String: StepAcknowledgment], from: Instant, to end: Instant, compactID compact: String?) {
        configuration = c
        self.acknowledgments = acknowledgments
        var sources: [Source] = []
        var kickoffs: Set<String> = []
        for step in Planner(configuration: c).stepOccurrences(from: from, to: end, compactID: compact) {
            guard let place = c.compactIndex(step.compactID) else { continue }
            let compact = c.compacts[place]
            sources.append(Source(start: step.dueAt, uid: "\(step.key)@compactd", step: step, compact: place, isKickoff: false))
            if let cycle = compact.cycles.first(where: { $0.id == step.cycleID }), kickoffs.insert("\(compact.id)/\(cycle.id)/\(step.occurrence)").inserted {
                let start = c.timeZone.instant(for: LocalDateTime(date: step.occurrence, hour: 9))
                if start >= from {
                    // "cycle-start:" cannot collide with a step key: ids have no colon.
                    sources.append(Source(start: start, uid: "cycle-start:\(compact.id)/\(cycle.id)/\(step.occurrence)@compactd", step: step, compact: place, isKickoff: true))
                }
            }
        }
        sources.sort { ($0.start, $0.uid) < ($1.start, $1.uid) }
        self.sources = sources
    }

    /// The event a source stands for, its text made now.
    public func event(_ source: Source) -> ICalendarWriter.Event {
        let step = source.step
        let compact = configuration.compacts[source.compact]
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
    public var events: LazyMapSequence<[Source], ICalendarWriter.Event> { sources.lazy.map(event) }
}
