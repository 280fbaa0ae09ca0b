import ArgumentParser
import CompactdCore
import CompactdStore
import Foundation

/// `compactctl unsnooze`: end a snooze early; what it held back goes out at once.
struct UnsnoozeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unsnooze", abstract: "End a step occurrence's snooze early.")

    @OptionGroup var config: ConfigOptions
    @OptionGroup var reference: StepReference
    @Option(help: "On whose behalf (default: $SUDO_USER).") var by: String?
    static let formats: [OutputFormat] = [.table, .json]
    @Option(name: [.customShort("o"), .long], help: OutputFormat.help(formats)) var output: OutputFormat = .table
    @Flag(help: .hidden) var json = false

    func run() async throws {
        let format = try OutputFormat.chosen(output, json: json, allowed: Self.formats, command: "unsnooze")
        let done = try await StateAccess.write(.unsnooze, reference, config: config, by: by)
        try ActionResult.print(format, command: "unsnooze", result: done.result, steps: [done.step], zone: done.zone)
    }
}
