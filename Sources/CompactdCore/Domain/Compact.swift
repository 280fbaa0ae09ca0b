/// An Education Compact between the district and one partner city.
public struct Compact: Sendable, Hashable {
    public var id: String
    public var partner: String
    public var status: CompactStatus
    /// When the Board of Education approved it, where known.
    public var approved: LocalDate?
    public var termStart: LocalDate?
    public var termEnd: LocalDate?
    public var commitments: [Commitment]
    public var contacts: [Contact]
    /// Channels (and, for email, the compact's contacts through them) that get its notices.
    public var notify: [String]
    public var cycles: [ReviewCycle]
    public var deadlines: [Deadline]
    /// The file the compact was read from, for messages.
    public var sourceFile: String?

    public init(
        id: String, partner: String, status: CompactStatus, approved: LocalDate? = nil,
        termStart: LocalDate? = nil, termEnd: LocalDate? = nil, commitments: [Commitment] = [],
        contacts: [Contact] = [], notify: [String] = [], cycles: [ReviewCycle] = [],
        deadlines: [Deadline] = [], sourceFile: String? = nil
    ) {
        self.id = id
        self.partner = partner
        self.status = status
        self.approved = approved
        self.termStart = termStart
        self.termEnd = termEnd
        self.commitments = commitments
        self.contacts = contacts
        self.notify = notify
        self.cycles = cycles
        self.deadlines = deadlines
        self.sourceFile = sourceFile
    }
}
