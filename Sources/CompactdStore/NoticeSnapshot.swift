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
    /// From the members of its JSON object (as `SQLiteStateStore.encode` writes it); nil when a
    /// member is missing or of another type.
    init?(members m: [String: FlatJSONReader.Value]) {
        func text(_ key: String) -> String? {
            if case .string(let value)? = m[key] { return value }
            return nil
        }
        guard let compactID = text("compactID"), let partner = text("partner"), let cycleID = text("cycleID"),
              let cycleTitle = text("cycleTitle"), let occurrence = text("occurrence"), let stepID = text("stepID"),
              let stepTitle = text("stepTitle"), let kind = text("kind"), let label = text("label"), let detail = text("detail"),
              let dueAtUTC = text("dueAtUTC"), let dueAtLocal = text("dueAtLocal"), let timeZone = text("timeZone"),
              case .integer(let days)? = m["daysUntilDue"], case .strings(let commitments)? = m["commitments"]
        else { return nil }
        self.init(
            compactID: compactID, partner: partner, cycleID: cycleID, cycleTitle: cycleTitle, occurrence: occurrence,
            stepID: stepID, stepTitle: stepTitle, kind: kind, label: label, detail: detail, dueAtUTC: dueAtUTC,
            dueAtLocal: dueAtLocal, timeZone: timeZone, daysUntilDue: days, commitments: commitments
        )
    }
}
