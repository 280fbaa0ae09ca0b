import CompactdCore

/// One line of the append-only history: enqueued, attempted, delivered, acknowledged, ...
public struct HistoryEvent: Sendable, Hashable {
    public var sequence: Int64
    public var at: Instant
    public var kind: String
    public var compactID: String?
    /// The delivery, step or channel the event is about.
    public var subject: String
    public var detail: String?
    public var actor: String?

    public init(sequence: Int64 = 0, at: Instant, kind: String, compactID: String?, subject: String, detail: String? = nil, actor: String? = nil) {
        self.sequence = sequence
        self.at = at
        self.kind = kind
        self.compactID = compactID
        self.subject = subject
        self.detail = detail
        self.actor = actor
    }
}
