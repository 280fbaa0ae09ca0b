/// A named way out: the district's log, a city's webhook, the district's mail server.
public struct Channel: Sendable, Hashable {
    public var id: String
    public var kind: ChannelKind
    /// A disabled channel is kept in the configuration but gets no notices.
    public var enabled: Bool

    public init(id: String, kind: ChannelKind, enabled: Bool = true) {
        self.id = id
        self.kind = kind
        self.enabled = enabled
    }

    public var isEmail: Bool {
        if case .email = kind { return true }
        return false
    }
}
