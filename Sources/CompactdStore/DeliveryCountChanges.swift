/// How one transaction's writes change `delivery_counts`: for each channel, status and
/// whether the rows were ever tried (`attempts > 0`), how many outbox rows there are, and the
/// latest time a row came into that state. Each write that adds a row or moves one from one
/// status to another says so here; `apply` writes the sums in the same transaction, one
/// statement per (channel, status, tried) touched, not one per row.
///
/// Why: `/metrics` and `compactctl status` counted the outbox by status with a pass over every
/// row ever written (at a million rows of history, 0.94 s for the first scrape after a write,
/// and `status` 0.95-1.18 s and 367 MiB sorting them), a cost that grew with the history, not
/// with what is due. Triggers would have kept the table exact with no change here, but cost
/// 12,000 instructions a row written (measured with the sqlite3 shell: 20,000 deliveries
/// enqueued, claimed and recorded, 801 to 1,526 million), about a tenth more CPU a delivery.
struct DeliveryCountChanges {
    private struct Key: Hashable {
        var channel: String
        var status: String
        var tried: Bool
    }

    private var changes: [Key: (rows: Int64, latest: Int64?)] = [:]

    var isEmpty: Bool { changes.isEmpty }

    /// `count` rows of `channel` written in `status` (or moved into it) at `at`.
    mutating func add(channel: String, status: String, tried: Bool, count: Int64 = 1, at: Int64) {
        let key = Key(channel: channel, status: status, tried: tried)
        var change = changes[key] ?? (0, nil)
        change.rows += count
        change.latest = max(change.latest ?? at, at)
        changes[key] = change
    }

    /// `count` rows of `channel` moved out of `status`.
    mutating func remove(channel: String, status: String, tried: Bool, count: Int64 = 1) {
        let key = Key(channel: channel, status: status, tried: tried)
        var change = changes[key] ?? (0, nil)
        change.rows -= count
        changes[key] = change
    }

    /// `count` rows of `channel` moved from one status (and tried or not) to another at `at`.
    mutating func move(channel: String, from: String, triedBefore: Bool, to: String, triedAfter: Bool, count: Int64 = 1, at: Int64) {
        guard from != to || triedBefore != triedAfter else { return }
        remove(channel: channel, status: from, tried: triedBefore, count: count)
        add(channel: channel, status: to, tried: triedAfter, count: count, at: at)
    }

    static let upsertSQL = """
        INSERT INTO delivery_counts (channel, status, tried, rows, latest) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (channel, status, tried) DO UPDATE SET rows = rows + excluded.rows,
            latest = MAX(IFNULL(latest, excluded.latest), IFNULL(excluded.latest, latest))
        """

    /// Writes the sums; call inside the transaction that made the changes.
    func apply(on connection: SQLiteConnection) throws(StateStoreError) {
        for (key, change) in changes where change.rows != 0 || change.latest != nil {
            try connection.query(
                Self.upsertSQL, [.text(key.channel), .text(key.status), .int(key.tried ? 1 : 0), .integer(change.rows), .optional(change.latest)],
                operation: "counting the outbox's rows"
            )
        }
    }
}
