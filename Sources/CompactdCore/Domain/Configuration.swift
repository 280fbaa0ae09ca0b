/// Everything compactd was told: the zone, the state location, the channels, the compacts and
/// their cycles, holidays and goals. Immutable; a reload builds a new one.
public struct Configuration: Sendable, Hashable {
    public var timeZone: ZoneInfo
    /// Where the SQLite state lives when systemd gives no `$STATE_DIRECTORY`.
    public var statePath: String
    /// `[state]`: SQLite (the default) or a PostgreSQL database shared by replicas.
    public var state: StateSettings
    /// Where the message templates live.
    public var templatesDirectory: String
    /// How far back a restarted daemon still sends what fell due while it was down.
    public var catchUp: TimeSpan
    public var defaultPolicy: ReminderPolicy
    public var delivery: DeliverySettings
    public var businessCalendar: BusinessCalendar
    public var channels: [Channel]
    /// District-wide contacts (e.g. for escalation), beside each compact's own.
    public var contacts: [Contact]
    public var compacts: [Compact] {
        didSet { compactPlaces = CompactPlacesCache() }
    }
    /// Where each compact sits in `compacts`, by id, made at the first lookup and shared by
    /// every copy of this configuration (a new list starts a new table).
    private var compactPlaces = CompactPlacesCache()
    public var goals: [Goal]
    /// The HTTP listener and action links; nil when `[http]` is absent or disabled.
    public var http: HTTPSettings?
    /// The main configuration file, for messages.
    public var sourceFile: String?

    public init(
        timeZone: ZoneInfo, statePath: String, templatesDirectory: String, catchUp: TimeSpan = TimeSpan(days: 3),
        defaultPolicy: ReminderPolicy = .standard, delivery: DeliverySettings = DeliverySettings(), businessCalendar: BusinessCalendar = BusinessCalendar(),
        channels: [Channel] = [], contacts: [Contact] = [], compacts: [Compact] = [], goals: [Goal] = [],
        http: HTTPSettings? = nil, state: StateSettings = StateSettings(), sourceFile: String? = nil
    ) {
        self.state = state
        self.timeZone = timeZone
        self.statePath = statePath
        self.templatesDirectory = templatesDirectory
        self.catchUp = catchUp
        self.defaultPolicy = defaultPolicy
        self.delivery = delivery
        self.businessCalendar = businessCalendar
        self.channels = channels
        self.contacts = contacts
        self.compacts = compacts
        self.goals = goals
        self.http = http
        self.sourceFile = sourceFile
    }

    public func channel(_ id: String) -> Channel? { channels.first { $0.id == id } }

    /// The compact with this id (the first, should two share it), found through a table made
    /// once: a scan of the list per lookup cost compacts × notices when many came due at once.
    public func compact(_ id: String) -> Compact? { compactIndex(id).map { compacts[$0] } }

    /// Its place in `compacts`, for a caller that reads it in place rather than copy it.
    public func compactIndex(_ id: String) -> Int? { compactPlaces.places.place(of: id, in: compacts) }

    /// A contact by id: the compact's own first, then the district's.
    public func contact(_ id: String, in compact: Compact) -> Contact? {
        compact.contacts.first { $0.id == id } ?? contacts.first { $0.id == id }
    }
}

/// The compact table as a stored property that takes no part in a configuration's equality or
/// hash: it is derived from `compacts`, and replaced whenever they change.
private struct CompactPlacesCache: Hashable, Sendable {
    let places = CompactPlaces()
    static func == (lhs: Self, rhs: Self) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}
