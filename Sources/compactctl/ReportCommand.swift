import ArgumentParser
import CompactdCore
import CompactdStore
import Foundation

/// `compactctl report`: the partnership at a glance, for a board update: each goal against
/// the active compacts, and per compact its status, commitments, current review cycle with
/// which steps are done, open or overdue, and the last contact.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Summarize the compacts, their review cycles and the goals.")

    @OptionGroup var config: ConfigOptions
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Print CSV, one line per step of each compact's current cycle.") var csv = false

    struct Report: Encodable {
        struct Goal: Encodable {
            var id: String
            var title: String
            var active: Int
            var minimum: Int
            var by: String
            var daysLeft: Int
            var met: Bool
        }

        struct Step: Encodable {
            var step: String
            var title: String
            var due: String
            /// done, open or overdue
            var state: String
            var days: Int
        }

        struct Compact: Encodable {
            var id: String
            var partner: String
            var status: String
            var commitments: [String]
            var cycle: String?
            var occurrence: String?
            var steps: [Step]
            var lastContact: String?
        }

        var generated: String
        var goals: [Goal]
        var compacts: [Compact]
        var activeCompacts: Int
        var stepsDone: Int
        var stepsOpen: Int
        var stepsOverdue: Int
    }

    func run() async throws {
        let c = try config.load().configuration
        let now = Instant.now
        let today = c.timeZone.localDateTime(at: now).date
        // The state is optional: without it nothing is acknowledged and nobody was contacted.
        var state = PlannerState.empty
        var lastContact: [String: Instant] = [:]
        let statePath = SQLiteStateStore.location(configured: c.statePath)
        if FileManager.default.fileExists(atPath: statePath) {
            let store = try StateAccess.open(c)
            state = try await store.plannerState()
            lastContact = try await store.lastDeliveredByCompact()
        }
        let planner = Planner(configuration: c)
        let occurrences = planner.stepOccurrences(from: now.adding(seconds: -400 * 86_400), to: now.adding(seconds: 400 * 86_400))
        var report = Report(
            generated: TimestampFormat.short(now, in: c.timeZone), goals: [], compacts: [],
            activeCompacts: c.compacts.filter { $0.status == .active }.count, stepsDone: 0, stepsOpen: 0, stepsOverdue: 0
        )
        for goal in c.goals {
            let progress = GoalProgress(goal: goal, compacts: c.compacts, today: today)
            report.goals.append(.init(id: goal.id, title: goal.title, active: progress.active, minimum: goal.minimumActive, by: goal.deadline.description, daysLeft: progress.daysLeft, met: progress.isMet))
        }
        for compact in c.compacts {
            var entry = Report.Compact(id: compact.id, partner: compact.partner, status: compact.status.rawValue, commitments: compact.commitments.map(\.title), steps: [])
            entry.lastContact = lastContact[compact.id].map { TimestampFormat.short($0, in: c.timeZone) }
            // The current occurrence: the latest begun, else the next (first cycle of the compact).
            if let cycle = compact.cycles.first {
                let mine = occurrences.filter { $0.compactID == compact.id && $0.cycleID == cycle.id }
                let dates = Set(mine.map(\.occurrence)).sorted()
                if let current = dates.last(where: { $0 <= today }) ?? dates.first {
                    entry.cycle = cycle.title
                    entry.occurrence = current.description
                    for step in mine where step.occurrence == current {
                        let days = Int((step.dueAt.secondsSinceEpoch - now.secondsSinceEpoch) / 86_400)
                        let stateName: String
                        if state.acknowledgments[step.key] != nil {
                            stateName = "done"
                            report.stepsDone += 1
                        } else if step.dueAt < now {
                            stateName = "overdue"
                            report.stepsOverdue += 1
                        } else {
                            stateName = "open"
                            report.stepsOpen += 1
                        }
                        entry.steps.append(.init(step: step.stepID, title: step.stepTitle, due: TimestampFormat.short(step.dueAt, in: c.timeZone), state: stateName, days: stateName == "overdue" ? -days : days))
                    }
                }
            }
            report.compacts.append(entry)
        }
        if json {
            print(try JSONOutput.encode(report))
        } else if csv {
            print("compact,partner,status,cycle,occurrence,step,due,state,days,last_contact")
            for compact in report.compacts {
                for step in compact.steps {
                    print([compact.id, compact.partner, compact.status, compact.cycle ?? "", compact.occurrence ?? "", step.step, step.due, step.state, String(step.days), compact.lastContact ?? ""].map(Self.csvField).joined(separator: ","))
                }
            }
        } else {
            print(Self.text(report))
        }
    }

    static func csvField(_ value: String) -> String {
        value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
    }

    static func text(_ r: Report) -> String {
        var lines: [String] = []
        var summary = "Education Compacts, \(r.generated): \(r.activeCompacts) active compact\(r.activeCompacts == 1 ? "" : "s") of \(r.compacts.count)."
        for goal in r.goals {
            summary += " Goal \"\(goal.title)\": \(goal.active) of \(goal.minimum) by \(goal.by) (\(goal.daysLeft >= 0 ? "\(goal.daysLeft) days left" : "\(-goal.daysLeft) days past")\(goal.met ? ", met" : ""))."
        }
        summary += " In the current review cycles: \(r.stepsDone) step\(r.stepsDone == 1 ? "" : "s") done, \(r.stepsOpen) open, \(r.stepsOverdue) overdue."
        lines.append(summary)
        for compact in r.compacts {
            lines.append("")
            lines.append("\(compact.partner) (\(compact.id)): \(compact.status); last contact \(compact.lastContact ?? "none recorded")")
            if !compact.commitments.isEmpty { lines.append("  Commitments: " + compact.commitments.joined(separator: "; ")) }
            if let cycle = compact.cycle, let occurrence = compact.occurrence {
                lines.append("  \(cycle) \(occurrence):")
                for step in compact.steps {
                    let when = step.state == "overdue" ? "overdue by \(step.days) days" : step.state == "open" ? "due in \(step.days) days" : "done"
                    lines.append("    - \(step.title): \(when) (\(step.due))")
                }
            }
        }
        return lines.joined(separator: "\n")
    }
}
