import CompactdConfig
import CompactdCore
import CompactdDelivery

/// A configuration that passed every check, with its templates: what the daemon runs on
/// until a reload replaces it.
public struct ActiveConfiguration: Sendable {
    public var loaded: LoadedConfiguration
    public var templates: TemplateSet

    public var configuration: Configuration { loaded.configuration }

    /// Loads and checks the configuration and its templates; throws every problem as text.
    public static func load(path: String) throws(ActiveConfigurationError) -> ActiveConfiguration {
        let loaded: LoadedConfiguration
        do {
            loaded = try ConfigurationLoader().load(path: path)
        } catch {
            throw ActiveConfigurationError(problems: error.errors.map(\.description))
        }
        let templates = TemplateSet(directory: loaded.configuration.templatesDirectory)
        if templates.hasErrors {
            throw ActiveConfigurationError(problems: templates.problems.filter { !$0.isWarning }.map(\.description))
        }
        return ActiveConfiguration(loaded: loaded, templates: templates)
    }
}

/// Why a configuration could not be used; `summary` is the first problem and a count.
public struct ActiveConfigurationError: Error, Sendable, CustomStringConvertible {
    public var problems: [String]

    public var summary: String {
        guard let first = problems.first else { return "unknown error" }
        return problems.count == 1 ? first : "\(first) (and \(problems.count - 1) more)"
    }

    public var description: String { problems.joined(separator: "\n") }
}
