import ArgumentParser
import CompactdCore
import CompactdStore
import Foundation

/// `compactctl report`: the partnership at a glance, for a board update or an email: each goal
/// said plainly and counted on its own date; per compact its status, the last contact, its
/// current review cycle and its deadlines with each step done (by whom, when, with the note),
/// snoozed, open or overdue, and how many of its commitments the cycle has reviewed.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Summarize the compacts, their review cycles, deadlines and goals.",
        discussion: """
        "Last contact" is the last notice delivered to a person (a contact's email, not the log \\
        or a city's system) or the last acknowledgment with a note, whichever is later. \\
        "Commitments reviewed" counts the commitments concerned by the steps done in the \\
        current cycle (a step that names none concerns them all).
        """
    )

    @OptionGroup var config: ConfigOptions
    @Option(help: "Only this compact.") var compact: String?
    static let formats: [OutputFormat] = [.table, .markdown, .json, .csv]
    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("How to print: table (text wrapped to the terminal), markdown (to paste into an email), json or csv (one line per step).", valueName: "format"))
    var output: OutputFormat = .table
    @Flag(help: .hidden) var json = false

    struct Report: Encodable {
        struct Goal: Encodable {
            var id: String
            var title: String
            var active: Int
            var minimum: Int
            var by: String
            var daysLeft: Int
            var met: Bool
            var plainly: String
        }

        struct Step: Encodable {
            var key: String
            var step: String
            var title: String
            /// The cycle's title, or "Deadline".
            var kind: String
            var due: String
            var dueUtc: String
            /// done, snoozed, open or overdue
            var state: String
            var days: Int
            var acknowledgedBy: String?
            var acknowledgedAt: String?
            var acknowledgedAtUtc: String?
            var note: String?
            var snoozedUntil: String?
            var snoozedUntilUtc: String?
        }

        struct Compact: Encodable {
            var id: String
            var partner: String
            var status: String
            var commitments: [String]
            var commitmentsReviewed: Int
            var cycle: String?
            var occurrence: String?
            var steps: [Step]
            var lastContact: String?
            var lastContactUtc: String?
        }

        var generated: String
        var generatedUtc: String
        /// The zone of the local times (the configuration's).
        var timeZone: String
        var goals: [Goal]
        var compacts: [Compact]
        var activeCompacts: Int
        var totalCompacts: Int
        var stepsDone: Int
        var stepsSnoozed: Int
        var stepsOpen: Int
        var stepsOverdue: Int
    }

    /// Deadlines shown: those due up to this far ahead (and every earlier one not done).
    static let deadlineHorizonDays: Int64 = 60

    func run() async throws {
        let format = try OutputFormat.chosen(output, json: json, allowed: Self.formats, command: "report")
        let c = try config.load().configuration
        if let compact, c.compact(compact) == nil { throw UnknownName.compact(compact, in: c) }
        let now = Instant.now
        let today = c.timeZone.localDateTime(at: now).date
        // The state is optional: without it nothing is acknowledged and nobody was contacted.
        var state = PlannerState.empty
        var lastContact: [String: Instant] = [:]
        if FileManager.default.fileExists(atPath: StateAccess.path(c)) {
            let store = try StateAccess.open(c)
            state = try await store.plannerState()
            lastContact = try await store.lastContactByCompact()
        }
        let occurrences = Planner(configuration: c).stepOccurrences(from: now.adding(seconds: -400 * 86_400), to: now.adding(seconds: 400 * 86_400), compactID: compact)
        var report = Report(
            generated: JSONTime.local(now, c.timeZone), generatedUtc: JSONTime.utc(now), timeZone: c.timeZone.identifier, goals: [], compacts: [],
            activeCompacts: c.compacts.filter { $0.status == .active }.count, totalCompacts: c.compacts.count, stepsDone: 0, stepsSnoozed: 0, stepsOpen: 0, stepsOverdue: 0
        )
        for goal in c.goals {
            let progress = GoalProgress(goal: goal, compacts: c.compacts, today: today)
            report.goals.append(.init(id: goal.id, title: goal.title, active: progress.active, minimum: goal.minimumActive, by: goal.deadline.description,
                                      daysLeft: progress.daysLeft, met: progress.isMet, plainly: progress.plainly))
        }
        for entry in c.compacts where compact == nil || entry.id == compact {
            var row = Report.Compact(id: entry.id, partner: entry.partner, status: entry.status.rawValue, commitments: entry.commitments.map(\.title), commitmentsReviewed: 0, steps: [])
            row.lastContact = lastContact[entry.id].map { JSONTime.local($0, c.timeZone) }
            row.lastContactUtc = lastContact[entry.id].map(JSONTime.utc)
            let mine = occurrences.filter { $0.compactID == entry.id }
            var reviewed: Set<String> = []
            // The current occurrence: the latest begun, else the next (first cycle of the compact).
            if let cycle = entry.cycles.first {
                let dates = Set(mine.filter { $0.cycleID == cycle.id }.map(\.occurrence)).sorted()
                if let current = dates.last(where: { $0 <= today }) ?? dates.first {
                    row.cycle = cycle.title
                    row.occurrence = current.description
                    for step in mine where step.cycleID == cycle.id && step.occurrence == current {
                        let added = add(step, kind: cycle.title, to: &row, report: &report, state: state, now: now, zone: c.timeZone)
                        if added.state == "done" {
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
                _ = add(step, kind: "Deadline", to: &row, report: &report, state: state, now: now, zone: c.timeZone)
            }
            row.commitmentsReviewed = reviewed.intersection(entry.commitments.map(\.id)).count
            report.compacts.append(row)
        }
        switch format {
        case .json:
            print(try JSONOutput.encode(report))
        case .csv:
            var table = TextTable(headers: ["COMPACT", "PARTNER", "STATUS", "CYCLE", "OCCURRENCE", "STEP", "DUE", "STATE", "DAYS", "LAST CONTACT", "ACKNOWLEDGED BY", "NOTE"])
            for row in report.compacts {
                for step in row.steps {
                    table.add([row.id, row.partner, row.status, step.kind == "Deadline" ? "deadline" : (row.cycle ?? ""), step.kind == "Deadline" ? "" : (row.occurrence ?? ""),
                               step.step, Self.shown(step.due, report), step.state, String(step.days), row.lastContact.map { Self.shown($0, report) } ?? "", step.acknowledgedBy ?? "", step.note ?? ""])
                }
            }
            print(table.csv(), terminator: "")
        case .markdown:
            print(Self.markdown(report))
        case .table:
            print(TerminalWidth.current().map { Self.text(report).wrapped(to: $0) } ?? Self.text(report))
        }
    }

    /// Adds one step occurrence with its state; returns it.
    private func add(_ step: StepOccurrence, kind: String, to row: inout Report.Compact, report: inout Report, state: PlannerState, now: Instant, zone: ZoneInfo) -> Report.Step {
        let days = Int((step.dueAt.secondsSinceEpoch - now.secondsSinceEpoch) / 86_400)
        var entry = Report.Step(key: step.key, step: step.stepID, title: step.stepTitle, kind: kind, due: JSONTime.local(step.dueAt, zone), dueUtc: JSONTime.utc(step.dueAt), state: "open", days: days)
        if let ack = state.acknowledgments[step.key] {
            entry.state = "done"
            entry.acknowledgedBy = ack.by
            entry.acknowledgedAt = JSONTime.local(ack.at, zone)
            entry.acknowledgedAtUtc = JSONTime.utc(ack.at)
            entry.note = ack.note
            report.stepsDone += 1
        } else if let snooze = state.snoozes[step.key], snooze.until > now {
            entry.state = "snoozed"
            entry.snoozedUntil = JSONTime.local(snooze.until, zone)
            entry.snoozedUntilUtc = JSONTime.utc(snooze.until)
            report.stepsSnoozed += 1
        } else if step.dueAt < now {
            entry.state = "overdue"
            entry.days = -days
            report.stepsOverdue += 1
        } else {
            report.stepsOpen += 1
        }
        row.steps.append(entry)
        return entry
    }

    /// The short local form of a report time, for text and Markdown.
    static func shown(_ rfc3339: String?, _ r: Report) -> String {
        JSONTime.display(rfc3339, (try? ZoneInfo.named(r.timeZone)) ?? .utc) ?? rfc3339 ?? "-"
    }

    static func summary(_ r: Report) -> String {
        var summary = "Education Compacts, \(shown(r.generated, r)): \(r.activeCompacts) active compact\(r.activeCompacts == 1 ? "" : "s") of \(r.totalCompacts)."
        for goal in r.goals { summary += " Goal \"\(goal.title)\": \(goal.plainly)." }
        summary += " In the current review cycles and deadlines: \(r.stepsDone) step\(r.stepsDone == 1 ? "" : "s") done, \(r.stepsSnoozed) snoozed, \(r.stepsOpen) open, \(r.stepsOverdue) overdue."
        return summary
    }

    static func describe(_ step: Report.Step, _ r: Report) -> String {
        switch step.state {
        case "done":
            "done" + (step.acknowledgedBy.map { ", by \($0)" } ?? "") + (step.acknowledgedAt.map { " on \(shown($0, r))" } ?? "") + (step.note.map { ": \"\($0)\"" } ?? "")
        case "snoozed": "snoozed until \(shown(step.snoozedUntil, r))"
        case "overdue": "overdue by \(step.days) day\(step.days == 1 ? "" : "s")"
        default: step.days == 0 ? "due today" : "due in \(step.days) day\(step.days == 1 ? "" : "s")"
        }
    }

    static func text(_ r: Report) -> String {
        var lines = [summary(r)]
        for compact in r.compacts {
            lines.append("")
            lines.append("\(compact.partner) (\(compact.id)): \(compact.status); last contact \(compact.lastContact.map { shown($0, r) } ?? "none recorded")")
            if !compact.commitments.isEmpty {
                lines.append("  Commitments: " + compact.commitments.joined(separator: "; "))
                lines.append("  Commitments reviewed this cycle: \(compact.commitmentsReviewed) of \(compact.commitments.count)")
            }
            if let cycle = compact.cycle, let occurrence = compact.occurrence { lines.append("  \(cycle) \(occurrence):") }
            for step in compact.steps where step.kind != "Deadline" { lines.append("    - \(step.title): \(describe(step, r)) (\(shown(step.due, r)))") }
            let deadlines = compact.steps.filter { $0.kind == "Deadline" }
            if !deadlines.isEmpty {
                lines.append("  Deadlines:")
                for step in deadlines { lines.append("    - \(step.title): \(describe(step, r)) (\(shown(step.due, r)))") }
            }
        }
        return lines.joined(separator: "\n")
    }

    static func markdown(_ r: Report) -> String {
        var lines = ["# Education Compacts, \(shown(r.generated, r))", "", summary(r)]
        for compact in r.compacts {
            lines += ["", "## \(compact.partner) (\(compact.id))", "", "- Status: \(compact.status)", "- Last contact: \(compact.lastContact.map { shown($0, r) } ?? "none recorded")"]
            if !compact.commitments.isEmpty {
                lines.append("- Commitments reviewed this cycle: \(compact.commitmentsReviewed) of \(compact.commitments.count) (\(compact.commitments.joined(separator: "; ")))")
            }
            if !compact.steps.isEmpty {
                lines += ["", "| Step | Due | State |", "| --- | --- | --- |"]
                for step in compact.steps {
                    let name = step.kind == "Deadline" ? "Deadline: \(step.title)" : "\(step.kind) \(compact.occurrence ?? ""): \(step.title)"
                    lines.append("| \(markdownCell(name)) | \(shown(step.due, r)) | \(markdownCell(describe(step, r))) |")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A table cell: a `|` would end it.
    static func markdownCell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
}
