import CompactdCore

/// A configuration that passed every check, with the warnings found on the way and the
/// files it was read from.
public struct LoadedConfiguration: Sendable {
    public var configuration: Configuration
    public var warnings: [ConfigProblem]
    public var files: [String]
}
