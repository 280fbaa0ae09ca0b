/// The configuration could not be used; every problem found is listed, not just the first.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]
    /// Where the templates are, when the main file got far enough to say: `check` reports
    /// their problems beside these.
    public var templatesDirectory: String?

    public init(problems: [ConfigProblem], templatesDirectory: String? = nil) {
        self.problems = problems
        self.templatesDirectory = templatesDirectory
    }

    public var errors: [ConfigProblem] { problems.filter { $0.severity == .error } }

    /// One problem per line.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
