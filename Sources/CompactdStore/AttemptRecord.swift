import CompactdCore

/// One attempt to deliver, with everything needed to explain it later.
public struct AttemptRecord: Sendable, Hashable {
    public var deliveryID: String
    public var number: Int
    public var startedAt: Instant
    public var finishedAt: Instant
    public var outcome: AttemptOutcome
    public var httpStatus: Int?
    public var smtpReply: String?
    public var curlCode: Int?
    public var curlError: String?
    public var latencyMilliseconds: Int
    /// When the next attempt is due, for `.retry`.
    public var nextAttemptAt: Instant?
    /// A short, secret-free reason for operators.
    public var detail: String?
    /// The delivery's channel, when whoever made the record knows it (the dispatcher does):
    /// the SQLite store then counts the outcome (`delivery_counts`) without reading the row.
    /// Not stored with the attempt, and nil in records read back.
    public var channel: String?
    /// The delivery's send time, likewise when the maker knows it (the dispatcher does): the
    /// SQLite store then drops it from the rows it holds in flight without reading the row.
    /// Not stored with the attempt, and nil in records read back.
    public var sendAt: Instant?

    public init(
        deliveryID: String, number: Int, startedAt: Instant, finishedAt: Instant, outcome: AttemptOutcome,
        httpStatus: Int? = nil, smtpReply: String? = nil, curlCode: Int? = nil, curlError: String? = nil,
        latencyMilliseconds: Int, nextAttemptAt: Instant? = nil, detail: String? = nil, channel: String? = nil, sendAt: Instant? = nil
    ) {
        self.deliveryID = deliveryID
        self.number = number
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.smtpReply = smtpReply
        self.curlCode = curlCode
        self.curlError = curlError
        self.latencyMilliseconds = latencyMilliseconds
        self.nextAttemptAt = nextAttemptAt
        self.detail = detail
        self.channel = channel
        self.sendAt = sendAt
    }
}
