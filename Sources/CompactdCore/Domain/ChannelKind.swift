/// How a channel delivers, with the settings that kind needs.
public enum ChannelKind: Sendable, Hashable {
    /// Writes what would be sent to the journal: the shipped configuration's way to show the
    /// schedule working with no network.
    case log
    case webhook(WebhookSettings)
    case email(EmailSettings)
}

/// A webhook endpoint: a partner city's system, Slack or Teams.
public struct WebhookSettings: Sendable, Hashable {
    public var url: String
    public var format: WebhookFormat
    /// Signing secrets (`whsec_...`); several during a rotation, each giving a signature.
    public var signingSecrets: [SecretReference]
    /// Plain http to a host that is not loopback, allowed only when set.
    public var allowInsecureHTTP: Bool

    public init(url: String, format: WebhookFormat = .standard, signingSecrets: [SecretReference] = [], allowInsecureHTTP: Bool = false) {
        self.url = url
        self.format = format
        self.signingSecrets = signingSecrets
        self.allowInsecureHTTP = allowInsecureHTTP
    }
}

/// An SMTP submission server and the sender.
public struct EmailSettings: Sendable, Hashable {
    public var serverURL: String
    public var from: String
    public var tls: EmailTLS
    public var username: String?
    public var password: SecretReference?

    public init(serverURL: String, from: String, tls: EmailTLS = .starttls, username: String? = nil, password: SecretReference? = nil) {
        self.serverURL = serverURL
        self.from = from
        self.tls = tls
        self.username = username
        self.password = password
    }
}
