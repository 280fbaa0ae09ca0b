/// Why a message could not be built. Never carries the offending value itself, which may be
/// attacker-controlled text.
public struct MailMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var reason: String

    public var description: String { "cannot build the email: \(field) \(reason)" }
}
