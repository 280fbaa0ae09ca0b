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
        // Each row written as it is made, none held: at 100,000 compacts the report held whole
        // took 370-876 MiB (CSV, JSON) and JSONEncoder most of JSON's 16 s. The summary of text
        // and Markdown comes before the rows and counts them all: one pass counts, a second
        // writes.
        func forEachRow(keptRows: Range<Int>? = nil, _ body: (Report.Compact) -> Void) -> Report {
            Report.forEachRow(configuration: c, state: state, lastContact: lastContact, now: now, compactID: compact, keptRows: keptRows, body)
        }
        let header = Report.header(configuration: c, now: now)
        let zone = Self.zone(header)
        let out = OutputBytes()
        switch format {
        case .json:
            var json = PrettyJSONWriter(to: out)
            json.writeReport(opening: header) { json in forEachRow { json.write($0) } }
            out.write("\n")
        case .csv:
            TextTable.stream(headers: ["COMPACT", "PARTNER", "STATUS", "CYCLE", "OCCURRENCE", "STEP", "DUE", "STATE", "DAYS", "LAST CONTACT", "ACKNOWLEDGED BY", "NOTE"], csv: true, ifEmpty: "") { emit in
                _ = forEachRow { row in
                    for step in row.steps {
                        emit([row.id, row.partner, row.status, step.kind == "Deadline" ? "deadline" : (row.cycle ?? ""), step.kind == "Deadline" ? "" : (row.occurrence ?? ""),
                              step.step, Self.shown(step.due, zone), step.state, String(step.days), row.lastContact.map { Self.shown($0, zone) } ?? "", step.acknowledgedBy ?? "", step.note ?? ""])
                    }
                }
            }
        case .markdown, .table:
            let counted = forEachRow(keptRows: 0..<0) { _ in }
            let width = format == .table ? TerminalWidth.current() : nil
            func write(_ lines: [String]) {
                for line in lines { out.write((width.map { line.wrapped(to: $0) } ?? line) + "\n") }
            }
            write(format == .markdown ? Self.markdownOpening(counted) : [Self.summary(counted)])
            _ = forEachRow { write(format == .markdown ? Self.markdown($0, zone) : Self.text($0, zone)) }
        }
        out.flush()
    }

    /// The short local form of a report time, for text and Markdown.
    static func shown(_ rfc3339: String?, _ zone: ZoneInfo) -> String {
        JSONTime.display(rfc3339, zone) ?? rfc3339 ?? "-"
    }

    /// The report's zone, by the name it carries.
    static func zone(_ r: Report) -> ZoneInfo { (try? ZoneInfo.named(r.timeZone)) ?? .utc }

    static func summary(_ r: Report) -> String {
        var summary = "Education Compacts, \(shown(r.generated, zone(r))): \(r.activeCompacts) active compact\(r.activeCompacts == 1 ? "" : "s") of \(r.totalCompacts)."
        for goal in r.goals { summary += " Goal \"\(goal.title)\": \(goal.plainly)." }
        summary += " In the current review cycles and deadlines: \(r.stepsDone) step\(r.stepsDone == 1 ? "" : "s") done, \(r.stepsSnoozed) snoozed, \(r.stepsOpen) open, \(r.stepsOverdue) overdue."
        return summary
    }

    static func describe(_ step: Report.Step, _ zone: ZoneInfo) -> String {
        switch step.state {
        case "done":
            "done" + (step.acknowledgedBy.map { ", by \($0)" } ?? "") + (step.acknowledgedAt.map { " on \(shown($0, zone))" } ?? "") + (step.note.map { ": \"\($0)\"" } ?? "")
        case "snoozed": "snoozed until \(shown(step.snoozedUntil, zone))"
        case "overdue": step.days == 0 ? "overdue since earlier today" : "overdue by \(step.days) day\(step.days == 1 ? "" : "s")"
        default: step.days == 0 ? "due today" : "due in \(step.days) day\(step.days == 1 ? "" : "s")"
        }
    }

    /// One compact's lines of the text report, the blank line before them first.
    static func text(_ compact: Report.Compact, _ zone: ZoneInfo) -> [String] {
        var lines = [""]
        lines.append("\(compact.partner) (\(compact.id)): \(compact.status); last contact \(compact.lastContact.map { shown($0, zone) } ?? "none recorded")")
        if !compact.commitments.isEmpty {
            lines.append("  Commitments: " + compact.commitments.joined(separator: "; "))
            lines.append("  Commitments reviewed this cycle: \(compact.commitmentsReviewed) of \(compact.commitments.count)")
        }
        if let cycle = compact.cycle, let occurrence = compact.occurrence { lines.append("  \(cycle) \(occurrence):") }
        for step in compact.steps where step.kind != "Deadline" { lines.append("    - \(step.title): \(describe(step, zone)) (\(shown(step.due, zone)))") }
        let deadlines = compact.steps.filter { $0.kind == "Deadline" }
        if !deadlines.isEmpty {
            lines.append("  Deadlines:")
            for step in deadlines { lines.append("    - \(step.title): \(describe(step, zone)) (\(shown(step.due, zone)))") }
        }
        return lines
    }

    static func markdownOpening(_ r: Report) -> [String] {
        ["# Education Compacts, \(shown(r.generated, zone(r)))", "", summary(r)]
    }

    /// One compact's section of the Markdown report, the blank line before it first.
    static func markdown(_ compact: Report.Compact, _ zone: ZoneInfo) -> [String] {
        var lines = ["", "## \(compact.partner) (\(compact.id))", "", "- Status: \(compact.status)", "- Last contact: \(compact.lastContact.map { shown($0, zone) } ?? "none recorded")"]
        if !compact.commitments.isEmpty {
            lines.append("- Commitments reviewed this cycle: \(compact.commitmentsReviewed) of \(compact.commitments.count) (\(compact.commitments.joined(separator: "; ")))")
        }
        if !compact.steps.isEmpty {
            lines += ["", "| Step | Due | State |", "| --- | --- | --- |"]
            for step in compact.steps {
                let name = step.kind == "Deadline" ? "Deadline: \(step.title)" : "\(step.kind) \(compact.occurrence ?? ""): \(step.title)"
                lines.append("| \(markdownCell(name)) | \(shown(step.due, zone)) | \(markdownCell(describe(step, zone))) |")
            }
        }
        return lines
    }

    /// A table cell: a `|` would end it. By byte, the cell itself when it holds none
    /// (nearly every one): Foundation's replacingOccurrences on every cell was slower.
    static func markdownCell(_ text: String) -> String {
        ByteEscaping.replacing(text) { $0 == UInt8(ascii: "|") ? "\\|" : nil }
    }
}
