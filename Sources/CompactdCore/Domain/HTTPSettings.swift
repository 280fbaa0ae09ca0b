/// The `[http]` table: compactd's own small web server for the people it reminds (signed "mark
/// done" and "snooze" links in every notice, status pages, a calendar feed) and for operations
/// (`/healthz`, `/readyz`, `/metrics`). TLS is the reverse proxy's job: compactd listens on
/// loopback or on a socket systemd passes, and `public_url` is what people reach.
public struct HTTPSettings: Sendable, Hashable {
    /// Where to listen when systemd passes no socket.
    public var listenHost: String = "127.0.0.1"
    public var listenPort: Int = 8787
    /// The address people reach (through the district's reverse proxy), used to build links;
    /// no trailing slash.
    public var publicURL: String = "http://127.0.0.1:8787"
    /// The proxies whose `X-Forwarded-For` is believed (exact addresses); nobody else's is.
    public var trustedProxies: [String] = []
    /// The keys that sign action links: the first signs, every one verifies (rotation). Empty:
    /// a key of compactd's own in its state directory (`http-link.key`, made on first start).
    public var linkKeys: [SecretReference] = []
    /// How long "Snooze" in a notice snoozes.
    public var snoozeDays: Int = 7
    /// How long a link stays valid after the last notice its step can get.
    public var linkValidDays: Int = 30
    /// How long the "undo" on a result page works.
    public var undoMinutes: Int = 60
    /// Who may read the status pages and the calendar feed.
    public var statusAccess: StatusAccess = .secret(nil)

    public enum StatusAccess: Sendable, Hashable {
        /// A secret path segment, like a calendar's private address: from this file or
        /// credential, or (nil) compactd's own in its state directory (`http-status.token`).
        case secret(SecretReference?)
        /// Anyone who reaches the listener: for a deployment whose proxy authenticates.
        case open
    }

    public init() {}
}
