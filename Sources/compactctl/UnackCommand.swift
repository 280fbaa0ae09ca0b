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

    func run() async throws {
        print(try await StateAccess.write(.unack, reference, config: config, by: by))
    }
}
