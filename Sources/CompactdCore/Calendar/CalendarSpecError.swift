/// Why a calendar expression was rejected.
public struct CalendarSpecError: Error, Hashable, Sendable, CustomStringConvertible {
    public var expression: String
    public var reason: String

    public init(expression: String, reason: String) {
        self.expression = expression
        self.reason = reason
    }

    public var description: String {
        "invalid calendar expression '\(expression)': \(reason); expected a systemd calendar event such as '*-05-01 09:00' or 'Mon *-01-15..21' (see systemd.time(7))"
    }
}
