/// The calendar of step due dates and review kickoffs that `compactctl export ics` writes and
/// the HTTP listener serves as a subscription (`/calendar/TOKEN.ics`): one event per step
/// occurrence, stable `UID`s, a done step read "(done, by whom)" instead of "(due)".
///
/// What the calendar holds is worked out first as `Source`s (a time, a UID and the step
/// occurrence: what ordering needs), and each event's text only as it is written
/// (`ICalendarStream`): a year of 100,000 compacts is 400,000 events, and their text, held whole,
/// was 200 MB more per request of the all-compacts feed, on top of the calendar itself.
public struct CalendarFeed: Sendable {
    /// How often a subscribed calendar should fetch the feed again.
    public static let refreshMinutes = 60

    /// One event to be: a step's due time, or the kickoff of its review cycle's occurrence.
    public struct Source: Sendable {
        public var start: Instant
        public var uid: String
        public var step: StepOccurrence
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
            guard let compact = c.compact(step.compactID) else { continue }
            sources.append(Source(start: step.dueAt, uid: "\(step.key)@compactd", step: step, isKickoff: false))
            if let cycle = compact.cycles.first(where: { $0.id == step.cycleID }), !kickoffs.contains("\(compact.id)/\(cycle.id)/\(step.occurrence)") {
                kickoffs.insert("\(compact.id)/\(cycle.id)/\(step.occurrence)")
                let start = c.timeZone.instant(for: LocalDateTime(date: step.occurrence, hour: 9))
                if start >= from {
                    // "cycle-start:" cannot collide with a step key: ids have no colon.
                    sources.append(Source(start: start, uid: "cycle-start:\(compact.id)/\(cycle.id)/\(step.occurrence)@compactd", step: step, isKickoff: true))
                }
            }
        }
        sources.sort { ($0.start, $0.uid) < ($1.start, $1.uid) }
        self.sources = sources
    }

    /// The event a source stands for, its text made now.
    public func event(_ source: Source) -> ICalendarWriter.Event {
        let step = source.step
        let compact = configuration.compact(step.compactID)
        let partner = compact?.partner ?? step.compactID
        let cycle = compact?.cycles.first { $0.id == step.cycleID }
        if source.isKickoff {
            let title = cycle?.title ?? step.cycleID
            return .init(uid: source.uid, start: source.start, minutes: 60, summary: "\(partner): \(title) begins",
                         description: "Review cycle \(title) of the Education Compact with the \(partner).")
        }
        let commitments = compact?.commitments.map(\.title) ?? []
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
