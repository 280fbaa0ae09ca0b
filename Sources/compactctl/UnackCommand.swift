import ArgumentParser
import CompactdCore
import CompactdStore
import Foundation

/// `compactctl unack`: take an acknowledgment back; reminders resume as planned.
struct UnackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unack", abstract: "Withdraw an acknowledgment.")

    @OptionGroup var config: ConfigOptions
    @OptionGroup var reference: StepReference
    @Option(help: "On whose behalf (default: $SUDO_USER).") var by: String?
    static let formats: [OutputFormat] = [.table, .json]
    @Option(name: [.customShort("o"), .long], help: OutputFormat.help(formats)) var output: OutputFormat = .table
    @Flag(help: .hidden) var json = false

    func run() async throws {
        let format = try OutputFormat.chosen(output, json: json, allowed: Self.formats, command: "unack")
        let done = try await StateAccess.write(.unack, reference, config: config, by: by)
        try ActionResult.print(format, command: "unack", result: done.result, steps: [done.step], zone: done.zone)
    }
}
