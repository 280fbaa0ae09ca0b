/// How an email channel protects its SMTP session.
public enum EmailTLS: String, Sendable, Hashable, CaseIterable {
    /// `smtp://host:587`, STARTTLS required.
    case starttls
    /// `smtps://host:465`, TLS from the first byte.
    case implicit
    /// Plain SMTP, only for a local relay, and only when asked for explicitly.
    case none
}
