import CompactdCore

/// compactd's durable state: the outbox, every attempt, acknowledgments and snoozes, channel
/// state and the history. SQLite implements it for one machine, `PostgresStateStore` for
/// several replicas, which is why claiming is a store operation.
///
/// Every method is async: implementations do blocking I/O on threads of their own, never on
/// the cooperative pool.
public protocol StateStore: Sendable {
    /// Writes notices to the outbox, ignoring identities already there. Returns the identities
    /// that were new.
    @discardableResult
    func enqueue(_ deliveries: [NewDelivery], now: Instant) async throws(StateStoreError) -> [String]

    /// Claims up to `limit` pending deliveries due at `now` on the given channels, in one
    /// transaction that first cancels those whose step was acknowledged, holds those whose step
    /// is snoozed, and skips channels disabled after a 410.
    func claimDue(now: Instant, limit: Int, channels: Set<String>) async throws(StateStoreError) -> [DeliveryRecord]

    /// Puts claimed deliveries that were never attempted back to pending (a graceful stop).
    func release(ids: [String], now: Instant) async throws(StateStoreError)

    /// Records attempts' outcomes and moves their deliveries on, in one transaction.
    func record(_ attempts: [AttemptRecord]) async throws(StateStoreError)

    /// After a crash: deliveries left `sending` go back to `pending`, to be sent again under the
    /// same identity. Returns how many.
    func recoverInterrupted(now: Instant) async throws(StateStoreError) -> Int

    /// When the earliest pending delivery is due, if any.
    func nextAttemptDue() async throws(StateStoreError) -> Instant?
    /// The send time of the oldest delivery still waiting (pending or sending); nil when none.
    func oldestPendingSendAt() async throws(StateStoreError) -> Instant?

    func plannerState() async throws(StateStoreError) -> PlannerState

    func acknowledge(_ acknowledgment: StepAcknowledgment, compactID: String, source: String) async throws(StateStoreError)
    func unacknowledge(stepKey: String, compactID: String, by: String?, at: Instant, source: String) async throws(StateStoreError)
    func snooze(_ snooze: StepSnooze, compactID: String, source: String) async throws(StateStoreError)
    /// Ends a step's snooze early: what it held back is due at once. `.notFound` when no snooze
    /// of that step is active at `at`.
    func unsnooze(stepKey: String, compactID: String, by: String?, at: Instant, source: String) async throws(StateStoreError)

    func disableChannel(_ state: ChannelState) async throws(StateStoreError)
    func enableChannel(_ channel: String, by: String?, at: Instant) async throws(StateStoreError)
    func disabledChannels() async throws(StateStoreError) -> [ChannelState]

    /// Rows of one status (restricted to `ids` and `channel` when given) back to pending, due
    /// at `at`, each with a `retried` history event carrying `detail`. Returns how many.
    /// `retryDead` and `resendMissed` below say what it is for.
    func requeue(status: DeliveryStatus, ids: [String]?, channel: String?, by: String?, at: Instant, detail: String?) async throws(StateStoreError) -> Int

    func delivery(id: String) async throws(StateStoreError) -> DeliveryRecord?
    func deliveries(status: DeliveryStatus?, channel: String?, limit: Int) async throws(StateStoreError) -> [DeliveryRecord]
    func attempts(deliveryID: String?, since: Instant?, limit: Int) async throws(StateStoreError) -> [AttemptRecord]
    /// The newest `limit` operator and channel events (oldest first), for one compact or all.
    func history(compactID: String?, since: Instant?, kinds: Set<String>?, limit: Int) async throws(StateStoreError) -> [HistoryEvent]
    /// The newest `limit` deliveries written to the outbox (oldest first), for one compact or all.
    /// The ids of the outbox rows whose notices fell due at or after `sendAtFrom` (any status).
    func writtenIDs(sendAtFrom: Instant) async throws(StateStoreError) -> Set<String>
    func recentDeliveries(compactID: String?, since: Instant?, limit: Int) async throws(StateStoreError) -> [DeliveryRecord]
    /// The newest `limit` attempts (oldest first) at deliveries of one compact or all.
    func recentAttempts(compactID: String?, since: Instant?, limit: Int) async throws(StateStoreError) -> [AttemptRecord]
    /// Each channel's rows by status, retries, last success and last failure (`compactctl
    /// status`): from the counts the outbox's writes keep (SQLite's `delivery_counts` and
    /// `channel_failures`; PostgreSQL's `delivery_count_changes`, its last failures walked from
    /// the newest failed attempt), not by reading every row.
    func channelSummaries() async throws(StateStoreError) -> [ChannelSummary]
    /// Pending deliveries and dead letters, counted through indexes of those rows only (what
    /// the daemon reports after every pass).
    func queueCounts() async throws(StateStoreError) -> QueueCounts
    /// Every outbox row counted by status (what `/metrics` reports), from the same kept counts
    /// as `channelSummaries`.
    func statusCounts() async throws(StateStoreError) -> [DeliveryStatus: Int]

    /// When each compact last had a notice delivered, by compact id.
    func lastDeliveredByCompact() async throws(StateStoreError) -> [String: Instant]
    /// The last contact with each compact's people, by compact id: a notice delivered to a
    /// person (a contact's address, not a channel such as the log or a city system), or an
    /// acknowledgment that says what happened (one with a note: "met with Carson city manager").
    func lastContactByCompact() async throws(StateStoreError) -> [String: Instant]

    /// `PRAGMA integrity_check` or its equivalent: nil when consistent, else the problems.
    func integrityProblems() async throws(StateStoreError) -> String?

    /// Whether a write would succeed now, without writing anything.
    func probeWrite() async throws(StateStoreError)

    /// The replicas sharing this state (PostgreSQL); empty for a store only one process uses.
    func replicas() async throws(StateStoreError) -> [ReplicaRecord]

    /// Wakes its reader whenever another process changed what is due (an acknowledgment, a
    /// snooze, a retry made anywhere); nil when nobody else writes this state.
    var changeNotifications: AsyncStream<Void>? { get }
}

extension StateStore {
    /// Dead-lettered deliveries back to pending, now. Returns how many.
    public func retryDead(ids: [String]?, channel: String?, by: String?, at: Instant) async throws(StateStoreError) -> Int {
        try await requeue(status: .dead, ids: ids, channel: channel, by: by, at: at, detail: nil)
    }

    /// A notice recorded as missed (older than the catch-up window) sent after all, under its
    /// identity; returns 1, or 0 when it is not a missed notice.
    public func resendMissed(id: String, by: String?, at: Instant) async throws(StateStoreError) -> Int {
        try await requeue(status: .missed, ids: [id], channel: nil, by: by, at: at, detail: "a missed notice resent under its identity")
    }

    public func replicas() async throws(StateStoreError) -> [ReplicaRecord] { [] }
    public var changeNotifications: AsyncStream<Void>? { nil }
}
