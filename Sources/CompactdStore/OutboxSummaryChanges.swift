/// How one transaction's writes change what the outbox keeps summed up: `delivery_counts`
/// (for each channel, status and whether the rows were ever tried (`attempts > 0`), how many
/// outbox rows there are, and the latest time a row came into that state) and
/// `channel_failures` (each channel's last failed attempt and what it said). Each write that
/// adds a row, moves one from one status to another or records a failure says so here;
/// `apply` writes the sums in the same transaction, one statement per (channel, status,
/// tried) touched and per channel failed, not one per row.
///
/// Why: `/metrics` and `compactctl status` counted the outbox by status with a pass over every
/// row ever written (at a million rows of history, 0.94 s for the first scrape after a write,
/// and `status` 0.95-1.18 s and 367 MiB sorting them), and `status` joined every failed attempt
/// to its delivery for the channel's last failure, costs that grew with the history, not with
/// what is due. Triggers would have kept the tables exact with no change here, but cost
/// 12,000 instructions a row written (measured with the sqlite3 shell: 20,000 deliveries
/// enqueued, claimed and recorded, 801 to 1,526 million), about a tenth more CPU a delivery.
struct OutboxSummaryChanges {
    /// One (channel, status, tried) touched. A transaction touches a handful, found by looking
    /// through them: a dictionary hashed the channel's name at every row (27 million
    /// instructions for 5,000 deliveries).
    private struct Change {
        var channel: String
        var status: DeliveryStatus
        var tried: Bool
        var rows: Int64
        var latest: Int64?
    }

    private var changes: [Change] = []
    /// Each channel's latest failure in this transaction.
    private var failures: [(channel: String, at: Int64, detail: String?)] = []

    private mutating func change(_ channel: String, _ status: DeliveryStatus, _ tried: Bool, _ body: (inout Change) -> Void) {
        if let index = changes.firstIndex(where: { $0.status == status && $0.tried == tried && $0.channel == channel }) {
            body(&changes[index])
        } else {
            var change = Change(channel: channel, status: status, tried: tried, rows: 0, latest: nil)
            body(&change)
            changes.append(change)
        }
    }

    /// `count` rows of `channel` written in `status` (or moved into it) at `at`.
    mutating func add(channel: String, status: DeliveryStatus, tried: Bool, count: Int64 = 1, at: Int64) {
        change(channel, status, tried) { change in
            change.rows += count
            change.latest = max(change.latest ?? at, at)
        }
    }

    /// `count` rows of `channel` moved out of `status`.
    mutating func remove(channel: String, status: DeliveryStatus, tried: Bool, count: Int64 = 1) {
        change(channel, status, tried) { $0.rows -= count }
    }

    /// `count` rows of `channel` moved from one status (and tried or not) to another at `at`.
    mutating func move(channel: String, from: DeliveryStatus, triedBefore: Bool, to: DeliveryStatus, triedAfter: Bool, count: Int64 = 1, at: Int64) {
        guard from != to || triedBefore != triedAfter else { return }
        remove(channel: channel, status: from, tried: triedBefore, count: count)
        add(channel: channel, status: to, tried: triedAfter, count: count, at: at)
    }

    /// A failed attempt (an outcome other than delivered) of `channel` at `at`.
    mutating func failed(channel: String, at: Int64, detail: String?) {
        if let index = failures.firstIndex(where: { $0.channel == channel }) {
            if at >= failures[index].at { failures[index] = (channel, at, detail) }
        } else {
            failures.append((channel, at, detail))
        }
    }

    static let failureUpsertSQL = """
        INSERT INTO channel_failures (channel, at, detail) VALUES (?, ?, ?)
        ON CONFLICT (channel) DO UPDATE SET at = excluded.at, detail = excluded.detail WHERE excluded.at >= channel_failures.at
        """

    static let upsertSQL = """
        INSERT INTO delivery_counts (channel, status, tried, rows, latest) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (channel, status, tried) DO UPDATE SET rows = rows + excluded.rows,
            latest = MAX(IFNULL(latest, excluded.latest), IFNULL(excluded.latest, latest))
        """

    /// Writes the sums; call inside the transaction that made the changes.
    func apply(on connection: SQLiteConnection) throws(StateStoreError) {
        for change in changes where change.rows != 0 || change.latest != nil {
            try connection.query(
                Self.upsertSQL, [.text(change.channel), .text(change.status.rawValue), .int(change.tried ? 1 : 0), .integer(change.rows), .optional(change.latest)],
                operation: "counting the outbox's rows"
            )
        }
        for failure in failures {
            try connection.query(Self.failureUpsertSQL, [.text(failure.channel), .integer(failure.at), .optional(failure.detail)], operation: "keeping the channel's last failure")
        }
    }
}
