import CompactdCore

/// What a notice says, frozen when it is written to the outbox, so it can be sent (or resent
/// after a crash) exactly as planned even if the configuration changed meanwhile.
public struct NoticeSnapshot: Sendable, Hashable, Codable {
    public var compactID: String
    public var partner: String
    public var cycleID: String
    public var cycleTitle: String
    public var occurrence: String
    public var stepID: String
    public var stepTitle: String
    /// `reminder`, `overdue`, `escalation` or `test`.
    public var kind: String
    /// `7d before`, `overdue #2`, ...
    public var label: String
    /// The reminder lead (`7d`), or the overdue number as text.
    public var detail: String
    public var dueAtUTC: String
    public var dueAtLocal: String
    public var timeZone: String
    /// Whole days from the send time to the due time (negative when overdue).
    public var daysUntilDue: Int
    public var commitments: [String]

    public init(
        compactID: String, partner: String, cycleID: String, cycleTitle: String, occurrence: String,
        stepID: String, stepTitle: String, kind: String, label: String, detail: String, dueAtUTC: String,
        dueAtLocal: String, timeZone: String, daysUntilDue: Int, commitments: [String]
    ) {
        self.compactID = compactID
        self.partner = partner
        self.cycleID = cycleID
        self.cycleTitle = cycleTitle
        self.occurrence = occurrence
        self.stepID = stepID
        self.stepTitle = stepTitle
        self.kind = kind
        self.label = label
        self.detail = detail
        self.dueAtUTC = dueAtUTC
        self.dueAtLocal = dueAtLocal
        self.timeZone = timeZone
        self.daysUntilDue = daysUntilDue
        self.commitments = commitments
    }
}

extension NoticeSnapshot {
    /// The members `SQLiteStateStore.encode` writes, in the order it writes them.
    static let memberNames = [
        "commitments", "compactID", "cycleID", "cycleTitle", "daysUntilDue", "detail", "dueAtLocal", "dueAtUTC",
        "kind", "label", "occurrence", "partner", "stepID", "stepTitle", "timeZone",
    ]

    /// From the JSON object `SQLiteStateStore.encode` writes, read member by member as the
    /// bytes come (a claim reads thousands a second: gathering the members in a table first
    /// hashed every key twice). Each name is compared first with the one written next, so a
    /// row as written costs one comparison a member. Nil when the text is not such an object,
    /// or a member is missing or of another type; members it does not know are ignored, and a
    /// repeated one counts as written last.
    init?(json bytes: UnsafeBufferPointer<UInt8>) {
        let names = Self.memberNames
        var members = [FlatJSONReader.Value?](repeating: nil, count: names.count)
        var next = 0
        let read = FlatJSONReader.forEachMember(in: bytes) { name, value in
            if next < names.count, names[next] == name {
                members[next] = value
                next += 1
            } else if let index = names.firstIndex(of: name) {
                members[index] = value
                next = index + 1
            }
        }
        guard read else { return nil }
        func text(_ index: Int) -> String? {
            if case .string(let text)? = members[index] { return text }
            return nil
        }
        guard case .strings(let commitments)? = members[0], let compactID = text(1), let cycleID = text(2), let cycleTitle = text(3),
              case .integer(let days)? = members[4], let detail = text(5), let dueAtLocal = text(6), let dueAtUTC = text(7),
              let kind = text(8), let label = text(9), let occurrence = text(10), let partner = text(11), let stepID = text(12),
              let stepTitle = text(13), let timeZone = text(14)
        else { return nil }
        self.init(
            compactID: compactID, partner: partner, cycleID: cycleID, cycleTitle: cycleTitle, occurrence: occurrence,
            stepID: stepID, stepTitle: stepTitle, kind: kind, label: label, detail: detail, dueAtUTC: dueAtUTC,
            dueAtLocal: dueAtLocal, timeZone: timeZone, daysUntilDue: days, commitments: commitments
        )
    }
}
