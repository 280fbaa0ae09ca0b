import ArgumentParser
import CompactdConfig
import CompactdCore
import Foundation

/// `--config`, shared by every command that reads the configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "The configuration file (default: $COMPACTD_CONFIG, /etc/compactd/compactd.toml, or Config/compactd.toml).")
    var path: String?

    var resolvedPath: String { ConfigLocation.resolve(explicit: path) }

    /// Loads the configuration or fails with every problem on stderr.
    func load() throws -> LoadedConfiguration {
        do {
            let loaded = try ConfigurationLoader().load(path: resolvedPath)
            KeptUntilExit.keep(loaded)
            return loaded
        } catch {
            for problem in error.problems.sorted(by: ConfigProblem.inReadingOrder) { printError(problem.oneLine) }
            let count = error.errors.count
            throw CommandFailure("\(resolvedPath): \(count) error\(count == 1 ? "" : "s") in the configuration")
        }
    }
}
