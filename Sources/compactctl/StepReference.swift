import ArgumentParser
import CompactdCore

/// Which step occurrence an operator means: its key as `agenda` shows it
/// (`carson/summer-reengagement/2027-05-01/kickoff`), or compact, cycle and step with an
/// optional occurrence date.
struct StepReference: ParsableArguments {
    @Argument(help: "The step occurrence, e.g. carson/summer-reengagement/2027-05-01/kickoff.")
    var key: String?

    @Option(help: "The compact id.")
    var compact: String?

    @Option(help: "The cycle id (or 'deadline').")
    var cycle: String?

    @Option(help: "The step (or deadline) id.")
    var step: String?

    @Option(help: "The occurrence date, YYYY-MM-DD; default: the one open now, if only one is.")
    var occurrence: String?

    /// Resolves to a step occurrence of the configuration, or fails saying why.
    func resolve(in configuration: Configuration, now: Instant) throws -> StepOccurrence {
        var compactID = compact, cycleID = cycle, stepID = step, date = occurrence
        if let key {
            var parts = key.split(separator: "/").map(String.init)
            // A notice id from agenda (the step occurrence, then kind and recipient) names its step.
            if parts.count == 6 { parts = Array(parts.prefix(4)) }
            guard parts.count == 4 else {
                throw CommandFailure("'\(key)' is not a step occurrence; expected COMPACT/CYCLE/YYYY-MM-DD/STEP as compactctl agenda shows it (its STEP column)")
            }
            (compactID, cycleID, date, stepID) = (parts[0], parts[1], parts[2], parts[3])
        }
        guard let compactID, let cycleID, let stepID else {
            throw CommandFailure("name the step: COMPACT/CYCLE/DATE/STEP, or --compact, --cycle and --step")
        }
        guard let compact = configuration.compact(compactID) else {
            throw UnknownName.compact(compactID, in: configuration)
        }
        if cycleID == StepOccurrence.deadlineCycleID {
            guard compact.deadlines.contains(where: { $0.id == stepID }) else {
                throw UnknownName.missing("compact \(compactID) has no deadline", stepID, known: compact.deadlines.map(\.id))
            }
        } else {
            guard let cycle = compact.cycles.first(where: { $0.id == cycleID }) else {
                throw UnknownName.missing("compact \(compactID) has no cycle", cycleID, known: compact.cycles.map(\.id))
            }
            guard cycle.steps.contains(where: { $0.id == stepID }) else {
                throw UnknownName.missing("cycle \(cycleID) has no step", stepID, known: cycle.steps.map(\.id))
            }
        }
        let planner = Planner(configuration: configuration)
        // Occurrences from two years back to a year ahead.
        let candidates = planner.stepOccurrences(from: now.adding(seconds: -730 * 86_400), to: now.adding(seconds: 400 * 86_400), compactID: compactID)
            .filter { $0.cycleID == cycleID && $0.stepID == stepID }
        if let date {
            guard LocalDate(parsing: date) != nil else { throw CommandFailure("'\(date)' is not a date; expected YYYY-MM-DD") }
            guard let match = candidates.first(where: { $0.occurrence.description == date }) else {
                throw CommandFailure("\(compactID)/\(cycleID)/\(stepID) has no occurrence on \(date); occurrences: \(candidates.map(\.occurrence.description).joined(separator: ", "))")
            }
            return match
        }
        // No date: the occurrence due nearest to now, if it is the only one due within 60 days.
        let near = candidates.filter { abs($0.dueAt.secondsSinceEpoch - now.secondsSinceEpoch) < 60 * 86_400 }
        guard near.count == 1, let only = near.first else {
            throw CommandFailure("ambiguous: \(compactID)/\(cycleID)/\(stepID) has \(near.isEmpty ? "no occurrence" : "\(near.count) occurrences") due within 60 days of now; give --occurrence (one of \(candidates.map(\.occurrence.description).joined(separator: ", ")))")
        }
        return only
    }
}
