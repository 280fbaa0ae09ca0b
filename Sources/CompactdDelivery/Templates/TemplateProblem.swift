/// Something wrong with a template file: missing, unreadable, not valid mustache, an unknown
/// variable, or a path outside the template folder.
public struct TemplateProblem: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var message: String
    public var isWarning: Bool

    public init(file: String, message: String, isWarning: Bool = false) {
        self.file = file
        self.message = message
        self.isWarning = isWarning
    }

    public var description: String { "\(file): \(isWarning ? "warning: " : "")\(message)" }
}
