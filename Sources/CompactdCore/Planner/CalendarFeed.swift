/// The calendar of step due dates and review kickoffs that `compactctl export ics` writes and
/// the HTTP listener serves as a subscription (`/calendar/TOKEN.ics`): one event per step
/// occurrence, stable `UID`s, a done step read "(done, by whom)" instead of "(due)".
public enum CalendarFeed {
    /// How often a subscribed calendar should fetch the feed again.
    public static let refreshMinutes = 60

    public static func events(configuration c: Configuration, acknowledgments: [String: StepAcknowledgment], from: Instant, to end: Instant, compactID compact: String?) -> [ICalendarWriter.Event] {
        let planner = Planner(configuration: c)
        var events: [ICalendarWriter.Event] = []
        var kickoffs: Set<String> = []
        for step in planner.stepOccurrences(from: from, to: end, compactID: compact) {
            guard let compact = c.compact(step.compactID) else { continue }
            let cycle = compact.cycles.first { $0.id == step.cycleID }
            let commitments = compact.commitments.map(\.title)
            events.append(.init(
                uid: "\(step.key)@compactd",
                start: step.dueAt, minutes: 30,
                summary: "\(compact.partner): \(step.stepTitle) (\(acknowledgments[step.key].map { "done, \($0.by ?? "acknowledged")" } ?? "due"))",
                description: "Education Compact with the \(compact.partner)\n\(cycle?.title ?? "Deadline") \(step.occurrence)\nCommitments:\n" + commitments.map { "- \($0)" }.joined(separator: "\n")
            ))
            if let cycle, !kickoffs.contains("\(compact.id)/\(cycle.id)/\(step.occurrence)") {
                kickoffs.insert("\(compact.id)/\(cycle.id)/\(step.occurrence)")
                let start = c.timeZone.instant(for: LocalDateTime(date: step.occurrence, hour: 9))
                if start >= from {
                    // "cycle-start:" cannot collide with a step key: ids have no colon.
                    events.append(.init(uid: "cycle-start:\(compact.id)/\(cycle.id)/\(step.occurrence)@compactd", start: start, minutes: 60,
                                        summary: "\(compact.partner): \(cycle.title) begins", description: "Review cycle \(cycle.title) of the Education Compact with the \(compact.partner)."))
                }
            }
        }
        events.sort { ($0.start, $0.uid) < ($1.start, $1.uid) }
        return events
    }
}
