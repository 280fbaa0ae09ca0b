/// The partnership at a glance, the one model behind `compactctl report` (text, Markdown, JSON,
/// CSV) and the HTTP status pages, so that their figures can never differ: each goal said
/// plainly and counted on its own date; per compact its status, the last contact, its current
/// review cycle and its deadlines with each step done (by whom, when, with the note), snoozed,
/// open or overdue, and how many of its commitments the cycle has reviewed. Times as JSONTime
/// writes them. Its `Encodable` form is what `report -o json` prints: compactctl writes it a
/// row at a time (`PrettyJSONWriter+Report`, which lists the keys again), and a test holds the
/// two equal.
public struct PartnershipReport: Encodable, Sendable {
    public struct Goal: Encodable, Sendable {
        public var id: String
        public var title: String
        public var active: Int
        public var minimum: Int
        public var by: String
        public var daysLeft: Int
        public var met: Bool
        public var plainly: String
    }

    public struct Step: Encodable, Sendable {
        public var key: String
        public var step: String
        public var title: String
        /// The cycle's title, or "Deadline".
        public var kind: String
        public var due: String
        public var dueUtc: String
        /// done, snoozed, open or overdue
        public var state: String
        /// Calendar days in the configuration's time zone between today and the due date, the
        /// way a goal's days are counted: "due in" when open, "overdue by" (positive) when overdue.
        /// Not 24-hour periods: a step due on the 29th at noon is two days overdue on the 1st at
        /// any hour, as whoever reads the date beside it counts.
        public var days: Int
        public var acknowledgedBy: String?
        public var acknowledgedAt: String?
        public var acknowledgedAtUtc: String?
        public var note: String?
        public var snoozedUntil: String?
        public var snoozedUntilUtc: String?
    }

    public struct Compact: Encodable, Sendable {
        public var id: String
        public var partner: String
        public var status: String
        public var commitments: [String]
        public var commitmentsReviewed: Int
        public var cycle: String?
        public var occurrence: String?
        public var steps: [Step]
        public var lastContact: String?
        public var lastContactUtc: String?
    }

    public var generated: String
    public var generatedUtc: String
    /// The zone of the local times (the configuration's).
    public var timeZone: String
    public var goals: [Goal]
    public var compacts: [Compact]
    public var activeCompacts: Int
    public var totalCompacts: Int
    public var stepsDone: Int
    public var stepsSnoozed: Int
    public var stepsOpen: Int
    public var stepsOverdue: Int

}

extension PartnershipReport {
    /// Deadlines shown: those due up to this far ahead (and every earlier one not done).
    public static let deadlineHorizonDays: Int64 = 60

    /// The report as of `now`: every compact (or only `compactID`), its current review cycle
    /// and its deadlines, each step done, snoozed, open or overdue by the state.
    ///
    /// - Parameter keptRows: when given, only the rows of the compacts at these places in the
    ///   configuration are kept (a status page's hundred); every compact still counts in the
    ///   totals. Each compact's row is made from its own step occurrences as the planner gives
    ///   them, compact by compact, and let go unless kept: at 100,000 compacts the whole
    ///   window's occurrences grouped by compact, and every row, took the daemon from 86 to 399
    ///   MiB for one status page.
    public init(configuration c: Configuration, state: PlannerState, lastContact: [String: Instant], now: Instant, compactID compact: String? = nil, keptRows: Range<Int>? = nil) {
        var rows: [Compact] = []
        self = Self.forEachRow(configuration: c, state: state, lastContact: lastContact, now: now, compactID: compact, keptRows: keptRows) { rows.append($0) }
        compacts = rows
    }

    /// The report's rows handed to `row` one at a time, as each is made, in the configuration's
    /// order; returns the report without rows (`compacts` empty), its totals counted. For
    /// `compactctl report`, which writes each row as it comes: at 100,000 compacts the report
    /// held whole took 512-876 MiB and JSONEncoder most of its 6-16 s. `compactID` and
    /// `keptRows` as for `init`: a row not kept is counted and not handed over.
    public static func forEachRow(
        configuration c: Configuration, state: PlannerState, lastContact: [String: Instant], now: Instant, compactID compact: String? = nil, keptRows: Range<Int>? = nil,
        _ body: (Compact) -> Void
    ) -> PartnershipReport {
        let today = c.timeZone.localDateTime(at: now).date
        var report = header(configuration: c, now: now)
        // The planner gives each compact's occurrences together, in the configuration's order:
        // `mine` holds those of the compact at `minePlace`, and the rows of every compact before
        // `nextPlace` are made (a compact with no occurrence in the window has a row too).
        var mine: [StepOccurrence] = []
        var minePlace = -1
        var nextPlace = 0
        func makeRows(before end: Int) {
            while nextPlace < end {
                if compact == nil || c.compacts[nextPlace].id == compact {
                    if nextPlace == minePlace {
                        // In due order, as `Planner.stepOccurrences` lists them (a stable sort).
                        mine.sort { $0.dueAt < $1.dueAt }
                    }
                    let row = Self.row(c.compacts[nextPlace], occurrences: nextPlace == minePlace ? mine : [], keep: keptRows?.contains(nextPlace) ?? true,
                                       report: &report, configuration: c, state: state, lastContact: lastContact, now: now, today: today)
                    if let row { body(row) }
                }
                nextPlace += 1
            }
        }
        Planner(configuration: c).forEachStepOccurrence(dueFrom: now.adding(seconds: -400 * 86_400), to: now.adding(seconds: 400 * 86_400), compactID: compact) { place, step in
            if place != minePlace {
                makeRows(before: place)
                mine.removeAll(keepingCapacity: true)
                minePlace = place
            }
            mine.append(step)
        }
        makeRows(before: c.compacts.count)
        return report
    }

    /// The report before its rows: when and in which zone, the goals, how many compacts are
    /// active; no row, every total zero.
    public static func header(configuration c: Configuration, now: Instant) -> PartnershipReport {
        let today = c.timeZone.localDateTime(at: now).date
        var report = PartnershipReport(
            generated: JSONTime.local(now, c.timeZone), generatedUtc: JSONTime.utc(now), timeZone: c.timeZone.identifier, goals: [], compacts: [],
            activeCompacts: c.compacts.filter { $0.status == .active }.count, totalCompacts: c.compacts.count, stepsDone: 0, stepsSnoozed: 0, stepsOpen: 0, stepsOverdue: 0
        )
        for goal in c.goals {
            let progress = GoalProgress(goal: goal, compacts: c.compacts, today: today)
            report.goals.append(.init(id: goal.id, title: goal.title, active: progress.active, minimum: goal.minimumActive, by: goal.deadline.description,
                                      daysLeft: progress.daysLeft, met: progress.isMet, plainly: progress.plainly))
        }
        return report
    }

    /// One compact's row from its step occurrences (in due order), its steps counted in the
    /// report's totals; nil when not `keep` (counted only: no step's text is made).
    private static func row(
        _ entry: CompactdCore.Compact, occurrences mine: [StepOccurrence], keep: Bool, report: inout PartnershipReport,
        configuration c: Configuration, state: PlannerState, lastContact: [String: Instant], now: Instant, today: LocalDate
    ) -> Compact? {
        var row = PartnershipReport.Compact(id: entry.id, partner: entry.partner, status: entry.status.rawValue, commitments: keep ? entry.commitments.map(\.title) : [], commitmentsReviewed: 0, steps: [])
        if keep {
            row.lastContact = lastContact[entry.id].map { JSONTime.local($0, c.timeZone) }
            row.lastContactUtc = lastContact[entry.id].map(JSONTime.utc)
        }
        var reviewed: Set<String> = []
        // The current occurrence: the latest begun, else the next (first cycle of the compact).
        if let cycle = entry.cycles.first {
            let dates = Set(mine.filter { $0.cycleID == cycle.id }.map(\.occurrence)).sorted()
            if let current = dates.last(where: { $0 <= today }) ?? dates.first {
                row.cycle = cycle.title
                row.occurrence = current.description
                for step in mine where step.cycleID == cycle.id && step.occurrence == current {
                    let done = Self.add(step, kind: cycle.title, to: &row, keep: keep, report: &report, state: state, now: now, zone: c.timeZone)
                    if done && keep {
                        let named = cycle.steps.first { $0.id == step.stepID }?.commitments ?? []
                        reviewed.formUnion(named.isEmpty ? entry.commitments.map(\.id) : named)
                    }
                }
            }
        }
        let horizon = now.adding(seconds: Self.deadlineHorizonDays * 86_400)
        for step in mine where step.cycleID == StepOccurrence.deadlineCycleID && step.dueAt < horizon {
            // Past deadlines done long ago are history, not news: only those of the last 60 days.
            if state.acknowledgments[step.key] != nil && step.dueAt < now.adding(seconds: -Self.deadlineHorizonDays * 86_400) { continue }
            _ = Self.add(step, kind: "Deadline", to: &row, keep: keep, report: &report, state: state, now: now, zone: c.timeZone)
        }
        guard keep else { return nil }
        row.commitmentsReviewed = reviewed.intersection(entry.commitments.map(\.id)).count
        return row
    }

    /// Counts one step occurrence in the report's totals by its state and, when `keep`, adds
    /// it to the row; returns whether it is done.
    private static func add(_ step: StepOccurrence, kind: String, to row: inout Compact, keep: Bool, report: inout PartnershipReport, state: PlannerState, now: Instant, zone: ZoneInfo) -> Bool {
        let key = step.key
        let ack = state.acknowledgments[key]
        let snooze = ack == nil ? state.snoozes[key].flatMap { $0.until > now ? $0 : nil } : nil
        if ack != nil {
            report.stepsDone += 1
        } else if snooze != nil {
            report.stepsSnoozed += 1
        } else if step.dueAt < now {
            report.stepsOverdue += 1
        } else {
            report.stepsOpen += 1
        }
        guard keep else { return ack != nil }
        let days = Int(zone.localDateTime(at: step.dueAt).date.daysSinceEpoch - zone.localDateTime(at: now).date.daysSinceEpoch)
        var entry = Step(key: key, step: step.stepID, title: step.stepTitle, kind: kind, due: JSONTime.local(step.dueAt, zone), dueUtc: JSONTime.utc(step.dueAt), state: "open", days: days)
        if let ack {
            entry.state = "done"
            entry.acknowledgedBy = ack.by
            entry.acknowledgedAt = JSONTime.local(ack.at, zone)
            entry.acknowledgedAtUtc = JSONTime.utc(ack.at)
            entry.note = ack.note
        } else if let snooze {
            entry.state = "snoozed"
            entry.snoozedUntil = JSONTime.local(snooze.until, zone)
            entry.snoozedUntilUtc = JSONTime.utc(snooze.until)
        } else if step.dueAt < now {
            entry.state = "overdue"
            entry.days = -days
        }
        row.steps.append(entry)
        return ack != nil
    }
}
