import ArgumentParser
import Foundation
import CompactdConfig
import CompactdCore
import CompactdDelivery
import CompactdStore

/// `compactctl check`: validate everything, report every problem, or summarize.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the configuration and every compact file; report each problem as FILE:LINE:COLUMN: KEY: message."
    )

    @OptionGroup var config: ConfigOptions

    func run() async throws {
        let path = config.resolvedPath
        var problems: [ConfigProblem] = []
        var loaded: LoadedConfiguration?
        var templatesDirectory: String?
        do {
            let result = try ConfigurationLoader().load(path: path)
            loaded = result
            problems = result.warnings
            templatesDirectory = result.configuration.templatesDirectory
        } catch {
            problems = error.problems
            templatesDirectory = error.templatesDirectory
        }
        // Every template, rendered with sample data in every language: its problems are
        // reported with the configuration's, one list.
        if let templatesDirectory {
            let templates = TemplateSet(directory: templatesDirectory)
            problems += templates.problems.map { ConfigProblem(file: $0.file, key: "", message: $0.message, severity: $0.isWarning ? .warning : .error) }
            for kind in TemplateSet.kinds {
                for language in TemplateSet.languages where !templates.hasErrors && templates.render(kind: kind, language: language, values: NoticeTemplateContext.values(for: NoticeTemplateContext.sample, contactName: "Sample Contact")) == nil {
                    problems.append(ConfigProblem(file: templatesDirectory, key: "", message: "the \(kind) template for '\(language)' does not render"))
                }
            }
        }
        for problem in problems.sorted(by: ConfigProblem.inReadingOrder) { printError(problem.oneLine) }
        let errors = problems.filter { $0.severity == .error }.count
        guard errors == 0, let loaded else {
            throw CommandFailure("\(path): \(errors) error\(errors == 1 ? "" : "s") in the configuration and templates")
        }
        // The next notice as the daemon will send it: with the store's acknowledgments and
        // snoozes when there is a store this build can read (before the first start there is
        // none, and after an upgrade the daemon migrates it first: then the configuration alone).
        let now = Instant.now
        var state = PlannerState.empty
        var written: Set<String> = []
        let projection = NoticeProjection(configuration: loaded.configuration)
        if StateAccess.exists(loaded.configuration), let store = try? StateAccess.open(loaded.configuration) {
            state = (try? await store.plannerState()) ?? .empty
            written = (try? await store.writtenIDs(sendAtFrom: projection.catchUpStart(now: now))) ?? []
        }
        print(CheckSummary(loaded: loaded, now: now, state: state, written: written).paragraph)
    }
}

/// The one-paragraph account `check` prints on success.
struct CheckSummary {
    var loaded: LoadedConfiguration
    var now: Instant
    var state: PlannerState = .empty
    var written: Set<String> = []

    var paragraph: String {
        let c = loaded.configuration
        let cycles = c.compacts.flatMap(\.cycles)
        let steps = cycles.reduce(0) { $0 + $1.steps.count }
        let deadlines = c.compacts.reduce(0) { $0 + $1.deadlines.count }
        let active = c.compacts.filter { $0.status == .active }.count
        let enabled = c.channels.filter(\.enabled).map(\.id)
        var text = "Configuration OK: \(loaded.files[0]) and \(loaded.files.count - 1) compact file\(loaded.files.count == 2 ? "" : "s"). "
        text += "\(c.compacts.count) compact\(c.compacts.count == 1 ? "" : "s") (\(active) active), "
        text += "\(cycles.count) review cycle\(cycles.count == 1 ? "" : "s"), \(steps) step\(steps == 1 ? "" : "s"), \(deadlines) deadline\(deadlines == 1 ? "" : "s"); "
        text += "\(c.channels.count) channel\(c.channels.count == 1 ? "" : "s") (\(enabled.count) enabled\(enabled.isEmpty ? "" : ": " + enabled.joined(separator: ", "))); "
        text += "\(c.businessCalendar.holidays.count) holiday rule\(c.businessCalendar.holidays.count == 1 ? "" : "s"); time zone \(c.timeZone.identifier)."
        let today = c.timeZone.localDateTime(at: now).date
        for goal in c.goals {
            text += " Goal \(goal.id): \(GoalProgress(goal: goal, compacts: c.compacts, today: today).summary)."
        }
        if let next = NoticeProjection(configuration: c).next(now: now, state: state, written: written, horizonDays: 800) {
            text += " Next notice: \(TimestampFormat.short(next.sendAt, in: c.timeZone)), \(next.kind.label) for \(next.step.key) to \(next.recipient)."
        } else {
            text += " No notice is planned in the next 800 days."
        }
        return text
    }
}
