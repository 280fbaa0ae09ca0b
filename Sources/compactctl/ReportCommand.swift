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

    typealias Report = PartnershipReport

    func run() async throws {
        let format = try OutputFormat.chosen(output, json: json, allowed: Self.formats, command: "report")
        let c = try config.load().configuration
        if let compact, c.compact(compact) == nil { throw UnknownName.compact(compact, in: c) }
        let now = Instant.now
        // The state is optional: without it nothing is acknowledged and nobody was contacted.
        var state = PlannerState.empty
        var lastContact: [String: Instant] = [:]
        if StateAccess.exists(c) {
            let store = try StateAccess.open(c)
            state = try await store.plannerState()
            lastContact = try await store.lastContactByCompact()
        }
        let report = PartnershipReport(configuration: c, state: state, lastContact: lastContact, now: now, compactID: compact)
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
        case "overdue": step.days == 0 ? "overdue since earlier today" : "overdue by \(step.days) day\(step.days == 1 ? "" : "s")"
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
