import CompactdCore

/// One thing wrong with the configuration, where it is, and what was expected.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    public var file: String
    public var line: Int?
    public var column: Int?
    /// The key's path, e.g. `cycles[0].steps[1].due`; empty for the file as a whole.
    public var key: String
    public var message: String
    public var severity: Severity

    public init(file: String, line: Int? = nil, column: Int? = nil, key: String, message: String, severity: Severity = .error) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
        self.severity = severity
    }

    /// `FILE:LINE:COLUMN: KEY: what is wrong, what was expected`, as compilers print.
    public var description: String {
        var place = file
        if let line {
            place += ":\(line)"
            if let column { place += ":\(column)" }
        }
        let prefix = severity == .warning ? "warning: " : ""
        return key.isEmpty ? "\(place): \(prefix)\(message)" : "\(place): \(key): \(prefix)\(message)"
    }
}
