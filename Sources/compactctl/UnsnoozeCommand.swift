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

    func run() async throws {
        print(try await StateAccess.write(.unsnooze, reference, config: config, by: by))
    }
}
