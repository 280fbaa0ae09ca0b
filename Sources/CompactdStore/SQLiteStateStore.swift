import CompactdCore
import Dispatch
import Foundation

/// The embedded state store: one SQLite file in WAL mode.
///
/// Chosen over GRDB because compactd needs a dozen statements, explicit `BEGIN IMMEDIATE`
/// transactions and nothing else; a thin layer over libsqlite3 builds in seconds, hides
/// nothing, and maps one-to-one onto the PostgreSQL store that will follow.
///
/// Every call runs on the store's own serial queue, off Swift's cooperative thread pool,
/// because SQLite blocks (fsync, the busy timeout).
public final class SQLiteStateStore: StateStore, @unchecked Sendable {
    // Only touched on `queue`.
    private let connection: SQLiteConnection
    private let queue: DispatchQueue
    /// The last whole-outbox reads, with the change token they were read under.
    private var keptOldestWaiting = SQLiteKeptRead<Instant?>()
    /// The send times of the rows this handle claimed and has no outcome for yet, each with how
    /// many rows have it: the oldest waiting row is found among them instead of by reading every
    /// row ever written, whenever they are all the rows in flight. By send time, not by id: an
    /// outcome names its send time (`AttemptRecord.sendAt`), and an integer key costs the
    /// delivery path a tenth of what hashing each id did.
    private var heldSendAt: [Int64: Int] = [:]
    public let path: String

    /// How a store is opened: by its writer (the daemon, or root with no daemon running), or
    /// by a reader (`compactctl`'s read-only commands, any member of the compactd group).
    public enum Access: Sendable {
        /// Opens or creates the file (0640 whatever the umask), applies pending migrations.
        case readWrite
        /// Opens an existing file read-only: no migration, no pragma that writes. Refuses a
        /// schema this build does not know, either way.
        case readOnly
    }

    public init(path: String, busyTimeoutMilliseconds: Int32 = 5000, access: Access = .readWrite) throws(StateStoreError) {
        self.path = path
        if access == .readWrite { Self.createPrivately(path) }
        connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, readOnly: access == .readOnly)
        queue = DispatchQueue(label: "compactd.sqlite")
        switch access {
        case .readWrite: try Self.migrate(connection)
        case .readOnly: try Self.requireCurrentSchema(connection, path: path)
        }
    }

    /// Creates the file, if it does not exist, as 0640: the service's group may read it,
    /// nobody else, whatever the umask. SQLite gives the -wal and -shm files the database's
    /// mode, so they follow.
    static func createPrivately(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { return }
        fchmod(fd, 0o640)
        close(fd)
    }

    /// A reader never migrates: a store older than this build is the daemon's to migrate, and
    /// one newer was written by a newer compactd.
    static func requireCurrentSchema(_ connection: SQLiteConnection, path: String) throws(StateStoreError) {
        var version: Int64 = 0
        try connection.query("PRAGMA user_version", operation: "reading the schema version") { row in version = row.int(0) }
        let known = Int64(SQLiteSchema.migrations.count)
        if version < known {
            throw StateStoreError(code: .migration, message: "\(path) is at schema version \(version), this build reads \(known): start compactd (it migrates its own state) and try again", operation: "opening the state read-only")
        }
        if version > known {
            throw StateStoreError(code: .migration, message: "\(path) is at schema version \(version), newer than this build knows (\(known)): use the compactctl that came with the running compactd", operation: "opening the state read-only")
        }
    }

    /// The state file's location: `$STATE_DIRECTORY/compactd.sqlite` under systemd, else the
    /// configured path.
    public static func location(configured: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let directory = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !directory.isEmpty {
            return "\(directory)/compactd.sqlite"
        }
        return configured
    }

    static func migrate(_ connection: SQLiteConnection) throws(StateStoreError) {
        var version: Int64 = 0
        try connection.query("PRAGMA user_version", operation: "reading the schema version") { row in version = row.int(0) }
        if version > Int64(SQLiteSchema.migrations.count) {
            throw StateStoreError(code: .migration, message: "schema version \(version) is newer than this build knows (\(SQLiteSchema.migrations.count)): a newer compactd wrote it; run that one", operation: "checking the schema version")
        }
        guard version < Int64(SQLiteSchema.migrations.count) else { return }
        // Without the memory map: a migration may read every row (7 counts the outbox), and
        // pages read through the map stay in the daemon's resident set while it runs (at a
        // million rows, 256 MiB more).
        try connection.execute("PRAGMA mmap_size = 0", operation: "migrating without the memory map")
        defer { try? connection.execute("PRAGMA mmap_size = \(SQLiteConnection.mappedBytes)", operation: "mapping the database again") }
        for index in Int(version)..<SQLiteSchema.migrations.count {
            do {
                try connection.transaction("applying migration \(index + 1)") { () throws(StateStoreError) in
                    try connection.execute(SQLiteSchema.migrations[index], operation: "applying migration \(index + 1)")
                    try connection.execute("PRAGMA user_version = \(index + 1)", operation: "recording migration \(index + 1)")
                }
            } catch {
                throw StateStoreError(code: .migration, message: error.message, sqliteCode: error.sqliteCode, operation: "applying migration \(index + 1)")
            }
        }
    }

    /// Runs `body` on the store's queue and resumes the caller with its result.
    private func run<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws(StateStoreError) -> T) async throws(StateStoreError) -> T {
        let result: Result<T, StateStoreError> = await withCheckedContinuation { continuation in
            queue.async { [connection] in
                do throws(StateStoreError) {
                    continuation.resume(returning: .success(try body(connection)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// The snapshot as JSON with sorted keys (the same bytes JSONEncoder would write).
    public static func encode(_ snapshot: NoticeSnapshot) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.field(verbatim: "commitments", snapshot.commitments)
        w.field(verbatim: "compactID", snapshot.compactID)
        w.field(verbatim: "cycleID", snapshot.cycleID)
        w.field(verbatim: "cycleTitle", snapshot.cycleTitle)
        w.field(verbatim: "daysUntilDue", snapshot.daysUntilDue)
        w.field(verbatim: "detail", snapshot.detail)
        w.field(verbatim: "dueAtLocal", snapshot.dueAtLocal)
        w.field(verbatim: "dueAtUTC", snapshot.dueAtUTC)
        w.field(verbatim: "kind", snapshot.kind)
        w.field(verbatim: "label", snapshot.label)
        w.field(verbatim: "occurrence", snapshot.occurrence)
        w.field(verbatim: "partner", snapshot.partner)
        w.field(verbatim: "stepID", snapshot.stepID)
        w.field(verbatim: "stepTitle", snapshot.stepTitle)
        w.field(verbatim: "timeZone", snapshot.timeZone)
        w.endObject()
        return w.text
    }

    /// The snapshot back from `encode`'s JSON: by the flat reader (fast), else JSONDecoder.
    static let emptySnapshot = NoticeSnapshot(compactID: "", partner: "", cycleID: "", cycleTitle: "", occurrence: "", stepID: "", stepTitle: "", kind: "", label: "", detail: "", dueAtUTC: "", dueAtLocal: "", timeZone: "", daysUntilDue: 0, commitments: [])

    /// The snapshot, or an empty one and why the text could not be read (a damaged row: the
    /// dispatcher dead-letters it rather than send empty fields).
    public static func decodeChecked(_ text: String) -> (snapshot: NoticeSnapshot, damage: String?) {
        var text = text
        return text.withUTF8(decodeChecked)
    }

    /// The same from the text's UTF-8 bytes (a claimed row's column, read in place).
    static func decodeChecked(_ bytes: UnsafeBufferPointer<UInt8>) -> (snapshot: NoticeSnapshot, damage: String?) {
        if let snapshot = NoticeSnapshot(json: bytes) { return (snapshot, nil) }
        if let snapshot = try? JSONDecoder().decode(NoticeSnapshot.self, from: Data(bytes)) { return (snapshot, nil) }
        return (emptySnapshot, "the notice snapshot (\(bytes.count) bytes) is not a readable notice")
    }

    static let deliveryColumns = "id, step_key, channel, contact, send_at, status, attempts, next_attempt_at, last_error, created_at, updated_at, snapshot"

    /// The column lists for queries that join: each column prefixed by its table's alias
    /// (`d.id, d.step_key, ...`), built once rather than at every claim.
    static let deliveryColumnsOfD = qualified(deliveryColumns, "d")
    static let attemptColumnsOfA = qualified(attemptColumns, "a")

    static func qualified(_ columns: String, _ alias: String) -> String {
        columns.split(separator: ",").map { "\(alias)." + $0.trimmingWhitespace() }.joined(separator: ", ")
    }

    static func deliveryRecord(_ row: SQLiteRow) -> DeliveryRecord {
        let (snapshot, damage) = row.withText(11, decodeChecked)
        return DeliveryRecord(
            id: row.text(0), stepKey: row.text(1), channel: row.text(2), contact: row.optionalText(3),
            sendAt: Instant(microsecondsSinceEpoch: row.int(4)), status: DeliveryStatus(rawValue: row.text(5)) ?? .pending,
            attempts: Int(row.int(6)), nextAttemptAt: row.optionalInt(7).map(Instant.init(microsecondsSinceEpoch:)),
            lastError: row.optionalText(8), createdAt: Instant(microsecondsSinceEpoch: row.int(9)),
            updatedAt: Instant(microsecondsSinceEpoch: row.int(10)), snapshot: snapshot, snapshotDamage: damage
        )
    }

    // MARK: - The outbox

    @discardableResult
    public func enqueue(_ deliveries: [NewDelivery], now: Instant) async throws(StateStoreError) -> [String] {
        guard !deliveries.isEmpty else { return [] }
        return try await run { connection throws(StateStoreError) in
            try connection.transaction("writing deliveries to the outbox") { () throws(StateStoreError) -> [String] in
                var inserted: [String] = []
                var counts = OutboxSummaryChanges()
                for d in deliveries {
                    let changed = try connection.query(
                        """
                        INSERT INTO deliveries (id, step_key, compact_id, channel, contact, send_at, status, attempts, next_attempt_at, created_at, updated_at, snapshot)
                        VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
                        """,
                        [.text(d.id), .text(d.stepKey), .text(d.snapshot.compactID), .text(d.channel), .optional(d.contact),
                         .integer(d.sendAt.microsecondsSinceEpoch), .text(d.missed ? DeliveryStatus.missed.rawValue : DeliveryStatus.pending.rawValue),
                         d.missed ? .null : .integer(d.sendAt.microsecondsSinceEpoch), .integer(now.microsecondsSinceEpoch),
                         .integer(now.microsecondsSinceEpoch), .text(Self.encode(d.snapshot))],
                        operation: "writing deliveries to the outbox"
                    )
                    if changed > 0 {
                        inserted.append(d.id)
                        counts.add(channel: d.channel, status: d.missed ? .missed : .pending, tried: false, at: now.microsecondsSinceEpoch)
                    }
                }
                try counts.apply(on: connection)
                return inserted
            }
        }
    }

    public func claimDue(now: Instant, limit: Int, channels: Set<String>) async throws(StateStoreError) -> [DeliveryRecord] {
        guard !channels.isEmpty else { return [] }
        let channelList = channels.sorted()
        return try await run { connection throws(StateStoreError) in
            let claimed = try connection.transaction("claiming deliveries") { () throws(StateStoreError) -> [DeliveryRecord] in
                let t = now.microsecondsSinceEpoch
                let nowValue = SQLiteValue.integer(now.microsecondsSinceEpoch)
                var claimed: [DeliveryRecord] = []
                var counts = OutboxSummaryChanges()
                // Candidates in due order, each with its step's acknowledgment and current
                // snooze (joined by key), so a claim costs the rows it returns, not every row
                // that is due, and one query per batch rather than three per row.
                while claimed.count < limit {
                    var candidates: [(record: DeliveryRecord, acknowledged: Bool, snoozedUntil: Int64?, rowid: Int64)] = []
                    try connection.query(
                        """
                        SELECT \(Self.deliveryColumnsOfD), a.step_key IS NOT NULL, s.until, d.rowid FROM deliveries d
                        LEFT JOIN acknowledgments a ON a.step_key = d.step_key
                        LEFT JOIN snoozes s ON s.step_key = d.step_key AND s.at <= ?1 AND s.until > ?1
                        WHERE d.status = 'pending' AND d.next_attempt_at <= ?1 AND d.channel NOT IN (SELECT channel FROM channel_state)
                          AND d.channel IN (\(channelList.indices.map { "?\($0 + 3)" }.joined(separator: ",")))
                        ORDER BY d.next_attempt_at, d.rowid LIMIT ?2
                        """,
                        [nowValue, .int(limit - claimed.count)] + channelList.map { .text($0) }, operation: "claiming deliveries"
                    ) { row in candidates.append((Self.deliveryRecord(row), row.int(12) != 0, row.optionalInt(13), row.int(14))) }
                    if candidates.isEmpty { break }
                    var sending: [Int64] = []
                    sending.reserveCapacity(candidates.count)
                    for (candidate, acknowledged, snoozedUntil, rowid) in candidates {
                        if acknowledged {
                            // Acknowledged before it went out: it is never sent.
                            try connection.query("UPDATE deliveries SET status = 'cancelled', updated_at = ? WHERE id = ?", [.integer(t), .text(candidate.id)], operation: "cancelling an acknowledged delivery")
                            counts.move(channel: candidate.channel, from: candidate.status, triedBefore: candidate.attempts > 0, to: .cancelled, triedAfter: candidate.attempts > 0, at: t)
                            continue
                        }
                        if let snoozedUntil {
                            // Snoozed: it waits for the snooze to end.
                            try connection.query("UPDATE deliveries SET next_attempt_at = ?, updated_at = ? WHERE id = ?", [.integer(snoozedUntil), .integer(t), .text(candidate.id)], operation: "holding a snoozed delivery")
                            continue
                        }
                        sending.append(rowid)
                        counts.move(channel: candidate.channel, from: candidate.status, triedBefore: candidate.attempts > 0, to: .sending, triedAfter: true, at: t)
                        var record = candidate
                        record.status = .sending
                        record.attempts += 1
                        claimed.append(record)
                    }
                    // One statement for the batch, by the rowids just read in this transaction
                    // (a statement a row cost as much again in binding, stepping and resetting).
                    if !sending.isEmpty {
                        let rowids = "[" + sending.map(String.init).joined(separator: ",") + "]"
                        try connection.query(
                            "UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated_at = ?1 WHERE rowid IN (SELECT value FROM json_each(?2))",
                            [.integer(t), .text(rowids)], operation: "claiming deliveries"
                        )
                    }
                }
                try counts.apply(on: connection)
                return claimed
            }
            for index in claimed.indices { self.hold(claimed[index].sendAt.microsecondsSinceEpoch) }
            return claimed
        }
    }

    public func record(_ attempts: [AttemptRecord]) async throws(StateStoreError) {
        guard !attempts.isEmpty else { return }
        try await run { connection throws(StateStoreError) in
            try connection.transaction("recording attempts") { () throws(StateStoreError) in
                // Several outcomes a statement, in groups of 16, 8, 4, 2 and 1 (five shapes of
                // statement, each prepared once): two statements an outcome cost as much again in
                // binding, stepping and resetting as the rows they wrote.
                var start = 0
                var counts = OutboxSummaryChanges()
                while start < attempts.count {
                    var size = Self.largestRecordGroup
                    while size > attempts.count - start { size /= 2 }
                    try Self.record(attempts[start..<(start + size)], on: connection, counts: &counts)
                    start += size
                }
                try counts.apply(on: connection)
            }
            for index in attempts.indices {
                if let sendAt = attempts[index].sendAt { self.letGo(sendAt.microsecondsSinceEpoch) }
            }
        }
    }

    /// Outcomes a statement at most; smaller groups are its halves, down to one.
    static let largestRecordGroup = 16

    /// The attempts of a group, and their deliveries' new state, in one statement each.
    private static func record(_ group: ArraySlice<AttemptRecord>, on connection: SQLiteConnection, counts: inout OutboxSummaryChanges) throws(StateStoreError) {
        // The same delivery twice in one UPDATE ... FROM would be updated in no defined order:
        // such a group is written an outcome at a time, in order.
        if group.count > 1, Set(group.map(\.deliveryID)).count < group.count {
            for index in group.indices { try record(group[index...index], on: connection, counts: &counts) }
            return
        }
        var attemptValues: [SQLiteValue] = []
        attemptValues.reserveCapacity(group.count * 12)
        var deliveryValues: [SQLiteValue] = []
        deliveryValues.reserveCapacity(group.count * 5)
        for attempt in group {
            attemptValues += [
                .text(attempt.deliveryID), .int(attempt.number), .integer(attempt.startedAt.microsecondsSinceEpoch),
                .integer(attempt.finishedAt.microsecondsSinceEpoch), .text(attempt.outcome.rawValue),
                .optional(attempt.httpStatus.map(Int64.init)), .optional(attempt.smtpReply), .optional(attempt.curlCode.map(Int64.init)),
                .optional(attempt.curlError), .int(attempt.latencyMilliseconds), .optional(attempt.nextAttemptAt?.microsecondsSinceEpoch),
                .optional(attempt.detail),
            ]
            deliveryValues += [
                .text(attempt.deliveryID), .text(attempt.outcome.deliveryStatus.rawValue),
                attempt.outcome == .retry ? .optional(attempt.nextAttemptAt?.microsecondsSinceEpoch) : .null,
                attempt.outcome == .delivered ? .null : .optional(attempt.detail), .integer(attempt.finishedAt.microsecondsSinceEpoch),
            ]
        }
        let shape = group.count.trailingZeroBitCount
        try connection.query(attemptInserts[shape], attemptValues, operation: "recording an attempt")
        // The rows in flight (nearly always all of them), with their channels given, take their
        // outcomes in one statement; a row in flight was tried (its claim counted an attempt).
        // When the statement finds fewer (a second outcome given in the same call, a row
        // recovered meanwhile) it is undone and each row is read and written on its own. Reading
        // the group's rows first cost 12,000 instructions a delivery, UPDATE ... RETURNING 11,700.
        let channels = group.compactMap(\.channel)
        if channels.count == group.count {
            try connection.query("SAVEPOINT outcomes", operation: "recording an attempt")
            let changed = try connection.query(deliveryUpdates[shape], deliveryValues, operation: "recording an attempt")
            if changed == group.count {
                try connection.query("RELEASE outcomes", operation: "recording an attempt")
                for (attempt, channel) in zip(group, channels) {
                    counts.move(channel: channel, from: .sending, triedBefore: true, to: attempt.outcome.deliveryStatus, triedAfter: true,
                                at: attempt.finishedAt.microsecondsSinceEpoch)
                    if attempt.outcome != .delivered { counts.failed(channel: channel, at: attempt.finishedAt.microsecondsSinceEpoch, detail: attempt.detail) }
                }
                return
            }
            try connection.query("ROLLBACK TO outcomes", operation: "recording an attempt")
            try connection.query("RELEASE outcomes", operation: "recording an attempt")
        }
        for attempt in group {
            var before: (channel: String, status: DeliveryStatus, tried: Bool)?
            try connection.query("SELECT channel, status, attempts FROM deliveries WHERE id = ?", [.text(attempt.deliveryID)], operation: "recording an attempt") { row in
                before = DeliveryStatus(rawValue: row.text(1)).map { (row.text(0), $0, row.int(2) > 0) }
            }
            guard let before else { continue }
            try connection.query(
                "UPDATE deliveries SET status = ?, next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ?",
                [.text(attempt.outcome.deliveryStatus.rawValue), attempt.outcome == .retry ? .optional(attempt.nextAttemptAt?.microsecondsSinceEpoch) : .null,
                 attempt.outcome == .delivered ? .null : .optional(attempt.detail), .integer(attempt.finishedAt.microsecondsSinceEpoch), .text(attempt.deliveryID)],
                operation: "recording an attempt"
            )
            counts.move(channel: before.channel, from: before.status, triedBefore: before.tried, to: attempt.outcome.deliveryStatus, triedAfter: before.tried,
                        at: attempt.finishedAt.microsecondsSinceEpoch)
            if attempt.outcome != .delivered { counts.failed(channel: before.channel, at: attempt.finishedAt.microsecondsSinceEpoch, detail: attempt.detail) }
        }
    }

    /// For 1, 2, 4, ... `largestRecordGroup` rows (indexed by the count's power of two).
    static let attemptInserts = (0...largestRecordGroup.trailingZeroBitCount).map { power in
        """
        INSERT INTO attempts (delivery_id, number, started_at, finished_at, outcome, http_status, smtp_reply, curl_code, curl_error, latency_ms, next_attempt_at, detail)
        VALUES \(Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: 1 << power).joined(separator: ", "))
        ON CONFLICT (delivery_id, number) DO UPDATE SET finished_at = excluded.finished_at, outcome = excluded.outcome
        """
    }
    static let deliveryUpdates = (0...largestRecordGroup.trailingZeroBitCount).map { power in
        """
        UPDATE deliveries SET status = v.column2, next_attempt_at = v.column3, last_error = v.column4, updated_at = v.column5
        FROM (VALUES \(Array(repeating: "(?, ?, ?, ?, ?)", count: 1 << power).joined(separator: ", "))) AS v
        WHERE deliveries.id = v.column1 AND deliveries.status = 'sending'
        """
    }

    public func release(ids: [String], now: Instant) async throws(StateStoreError) {
        guard !ids.isEmpty else { return }
        try await run { connection throws(StateStoreError) in
            var released: [Int64] = []
            try connection.transaction("releasing unattempted deliveries") { () throws(StateStoreError) in
                var counts = OutboxSummaryChanges()
                for id in ids {
                    var before: (channel: String, attempts: Int64, sendAt: Int64)?
                    try connection.query("SELECT channel, attempts, send_at FROM deliveries WHERE id = ? AND status = 'sending'", [.text(id)], operation: "releasing unattempted deliveries") { row in
                        before = (row.text(0), row.int(1), row.int(2))
                    }
                    guard let before else { continue }
                    released.append(before.sendAt)
                    try connection.query(
                        "UPDATE deliveries SET status = 'pending', attempts = MAX(0, attempts - 1), updated_at = ? WHERE id = ? AND status = 'sending'",
                        [.integer(now.microsecondsSinceEpoch), .text(id)], operation: "releasing unattempted deliveries"
                    )
                    counts.move(channel: before.channel, from: .sending, triedBefore: before.attempts > 0, to: .pending, triedAfter: before.attempts - 1 > 0, at: now.microsecondsSinceEpoch)
                }
                try counts.apply(on: connection)
            }
            for sendAt in released { self.letGo(sendAt) }
        }
    }

    public func recoverInterrupted(now: Instant) async throws(StateStoreError) -> Int {
        try await run { connection throws(StateStoreError) in
            defer { self.letGoOfAll() }
            return try connection.transaction("recovering interrupted deliveries") { () throws(StateStoreError) -> Int in
                // Every row left sending is recovered by the UPDATE; how many of each channel, and
                // whether tried, the kept counts say (read after it, where they are unchanged).
                // Not from the rows: a SELECT of them, an UPDATE ... RETURNING, or any read before
                // the UPDATE in its transaction made SQLite read the whole table through the
                // memory map, which an UPDATE alone does not (at a million rows of history the
                // daemon started at 278 MiB resident instead of 101).
                let recovered = try connection.query(
                    "UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE status = 'sending'",
                    [.integer(now.microsecondsSinceEpoch), .integer(now.microsecondsSinceEpoch)], operation: "recovering interrupted deliveries"
                )
                var counts = OutboxSummaryChanges()
                try connection.query(
                    "SELECT channel, tried, rows FROM delivery_counts WHERE status = 'sending' AND rows <> 0", operation: "recovering interrupted deliveries"
                ) { row in
                    counts.move(channel: row.text(0), from: .sending, triedBefore: row.int(1) != 0, to: .pending, triedAfter: row.int(1) != 0, count: row.int(2), at: now.microsecondsSinceEpoch)
                }
                try counts.apply(on: connection)
                return recovered
            }
        }
    }

    public func nextAttemptDue() async throws(StateStoreError) -> Instant? {
        try await run { connection throws(StateStoreError) in
            var next: Instant?
            try connection.query(
                "SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending' AND channel NOT IN (SELECT channel FROM channel_state)",
                operation: "finding the next attempt"
            ) { row in next = row.optionalInt(0).map(Instant.init(microsecondsSinceEpoch:)) }
            return next
        }
    }

    // Only on `queue`, after the write's transaction committed.
    private func hold(_ sendAt: Int64) { heldSendAt[sendAt, default: 0] += 1 }

    /// One row of this send time is no longer in flight (nothing, if none was held: an
    /// outcome for a row this handle did not claim).
    private func letGo(_ sendAt: Int64) {
        guard let rows = heldSendAt[sendAt] else { return }
        heldSendAt[sendAt] = rows > 1 ? rows - 1 : nil
    }

    private func letGoOfAll() { heldSendAt.removeAll() }

    /// How many rows the held send times stand for (no more keys than rows in flight: summed
    /// when asked rather than kept beside them).
    private var heldCount: Int { heldSendAt.values.reduce(0, +) }

    /// How many rows this handle holds in flight (for tests: that the held rows, not a read of
    /// every row, answer the oldest waiting row during a pass).
    func heldRowsInFlight() async throws(StateStoreError) -> Int {
        try await run { _ throws(StateStoreError) in self.heldCount }
    }

    /// The oldest send time among pending rows, through their own index: the rows waiting,
    /// not every row ever written.
    static let oldestPendingSQL = "SELECT MIN(send_at) FROM deliveries INDEXED BY deliveries_pending WHERE status = 'pending'"
    /// The same among rows in flight. No index holds them (one by send time where status is
    /// sending cost the delivery path 2% of its instructions), so this reads every row (NOT
    /// INDEXED: through the index by send_at SQLite would walk every older row ever written, a
    /// table lookup each, 0.2-0.9 s at a million rows against 0.2 s for the scan, and the whole
    /// table mapped into the reader's memory). Asked only when the kept counts say rows are in
    /// flight other than the ones this handle holds: in the daemon, whose listener shares its
    /// store, not even during a pass.
    static let oldestInFlightSQL = "SELECT MIN(send_at) FROM deliveries NOT INDEXED WHERE status = 'sending'"

    /// The oldest send time among pending rows and rows in flight, kept under the state's
    /// change token and given again while nothing was written (`/metrics` asks at every scrape).
    public func oldestPendingSendAt() async throws(StateStoreError) -> Instant? {
        try await run { connection throws(StateStoreError) in
            try self.keptOldestWaiting.value(on: connection) { () throws(StateStoreError) -> Instant? in
                var oldest: Int64?
                var inFlight: Int64 = 0
                try connection.query("SELECT IFNULL(SUM(rows), 0) FROM delivery_counts WHERE status = 'sending'", operation: "finding the oldest pending delivery") { row in
                    inFlight = row.int(0)
                }
                // Nothing in flight: whatever this handle still holds was settled elsewhere.
                if inFlight == 0 { self.letGoOfAll() }
                var queries = [Self.oldestPendingSQL]
                if inFlight > 0 {
                    // As many rows in flight as this handle holds: they are its own (the counts
                    // see each claim and outcome written, by any handle, and only another
                    // daemon's recovery could settle this one's rows; one daemon runs on a
                    // state), so the oldest is among them.
                    if inFlight == Int64(self.heldCount), let held = self.heldSendAt.keys.min() {
                        oldest = held
                    } else {
                        queries.append(Self.oldestInFlightSQL)
                    }
                }
                for sql in queries {
                    try connection.query(sql, operation: "finding the oldest pending delivery") { row in
                        if let sendAt = row.optionalInt(0) { oldest = min(oldest ?? sendAt, sendAt) }
                    }
                }
                return oldest.map(Instant.init(microsecondsSinceEpoch:))
            }
        }
    }

    // MARK: - Operator actions

    public func plannerState() async throws(StateStoreError) -> PlannerState {
        try await run { connection throws(StateStoreError) in
            var acks: [StepAcknowledgment] = []
            var snoozes: [StepSnooze] = []
            try connection.query("SELECT step_key, at, actor, note FROM acknowledgments", operation: "reading acknowledgments") { row in
                acks.append(StepAcknowledgment(stepKey: row.text(0), at: Instant(microsecondsSinceEpoch: row.int(1)), by: row.optionalText(2), note: row.optionalText(3)))
            }
            try connection.query("SELECT step_key, at, until, actor, note FROM snoozes", operation: "reading snoozes") { row in
                snoozes.append(StepSnooze(stepKey: row.text(0), at: Instant(microsecondsSinceEpoch: row.int(1)), until: Instant(microsecondsSinceEpoch: row.int(2)), by: row.optionalText(3), note: row.optionalText(4)))
            }
            return PlannerState(acknowledgments: acks, snoozes: snoozes)
        }
    }

    private static func insertEvent(_ connection: SQLiteConnection, _ event: HistoryEvent) throws(StateStoreError) {
        try connection.query(
            "INSERT INTO events (at, kind, compact_id, subject, detail, actor) VALUES (?, ?, ?, ?, ?, ?)",
            [.integer(event.at.microsecondsSinceEpoch), .text(event.kind), .optional(event.compactID), .text(event.subject), .optional(event.detail), .optional(event.actor)],
            operation: "appending to the history"
        )
    }

    public func acknowledge(_ ack: StepAcknowledgment, compactID: String, source: String) async throws(StateStoreError) {
        try await run { connection throws(StateStoreError) in
            try connection.transaction("acknowledging a step") { () throws(StateStoreError) in
                var existing = false
                try connection.query("SELECT 1 FROM acknowledgments WHERE step_key = ?", [.text(ack.stepKey)], operation: "acknowledging a step") { _ in existing = true }
                if existing {
                    throw StateStoreError(code: .conflict, message: "\(ack.stepKey) is already acknowledged", operation: "acknowledging a step")
                }
                try connection.query(
                    "INSERT INTO acknowledgments (step_key, compact_id, at, actor, note, source) VALUES (?, ?, ?, ?, ?, ?)",
                    [.text(ack.stepKey), .text(compactID), .integer(ack.at.microsecondsSinceEpoch), .optional(ack.by), .optional(ack.note), .text(source)],
                    operation: "acknowledging a step"
                )
                try connection.query("DELETE FROM snoozes WHERE step_key = ?", [.text(ack.stepKey)], operation: "acknowledging a step")
                try Self.insertEvent(connection, HistoryEvent(at: ack.at, kind: "acknowledged", compactID: compactID, subject: ack.stepKey, detail: ack.note, actor: ack.by))
            }
        }
    }

    public func unacknowledge(stepKey: String, compactID: String, by: String?, at: Instant, source: String) async throws(StateStoreError) {
        try await run { connection throws(StateStoreError) in
            try connection.transaction("withdrawing an acknowledgment") { () throws(StateStoreError) in
                let removed = try connection.query("DELETE FROM acknowledgments WHERE step_key = ?", [.text(stepKey)], operation: "withdrawing an acknowledgment")
                if removed == 0 {
                    throw StateStoreError(code: .notFound, message: "\(stepKey) is not acknowledged", operation: "withdrawing an acknowledgment")
                }
                try Self.insertEvent(connection, HistoryEvent(at: at, kind: "unacknowledged", compactID: compactID, subject: stepKey, detail: "via \(source)", actor: by))
            }
        }
    }

    public func snooze(_ snooze: StepSnooze, compactID: String, source: String) async throws(StateStoreError) {
        try await run { connection throws(StateStoreError) in
            try connection.transaction("snoozing a step") { () throws(StateStoreError) in
                try connection.query(
                    """
                    INSERT INTO snoozes (step_key, compact_id, at, until, actor, note, source) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (step_key) DO UPDATE SET at = excluded.at, until = excluded.until, actor = excluded.actor, note = excluded.note, source = excluded.source
                    """,
                    [.text(snooze.stepKey), .text(compactID), .integer(snooze.at.microsecondsSinceEpoch), .integer(snooze.until.microsecondsSinceEpoch),
                     .optional(snooze.by), .optional(snooze.note), .text(source)],
                    operation: "snoozing a step"
                )
                try Self.insertEvent(connection, HistoryEvent(at: snooze.at, kind: "snoozed", compactID: compactID, subject: snooze.stepKey, detail: "until \(snooze.until.rfc3339UTC)" + (snooze.note.map { ": \($0)" } ?? ""), actor: snooze.by))
            }
        }
    }

    /// The rows a snooze held wait at its end: found through deliveries_pending by that time,
    /// then by step (there is no index by step: only this statement would read it).
    static let releaseSnoozedSQL = "UPDATE deliveries SET next_attempt_at = ?, updated_at = ? WHERE step_key = ? AND status = 'pending' AND next_attempt_at = ?"

    public func unsnooze(stepKey: String, compactID: String, by: String?, at: Instant, source: String) async throws(StateStoreError) {
        try await run { connection throws(StateStoreError) in
            try connection.transaction("ending a snooze") { () throws(StateStoreError) in
                var until: Int64?
                try connection.query("SELECT until FROM snoozes WHERE step_key = ? AND until > ?", [.text(stepKey), .integer(at.microsecondsSinceEpoch)], operation: "ending a snooze") { row in
                    until = row.int(0)
                }
                guard let until else {
                    throw StateStoreError(code: .notFound, message: "\(stepKey) is not snoozed", operation: "ending a snooze")
                }
                try connection.query("DELETE FROM snoozes WHERE step_key = ?", [.text(stepKey)], operation: "ending a snooze")
                // The notices the snooze held wait for its end (the claim moved them there): due now.
                try connection.query(
                    Self.releaseSnoozedSQL,
                    [.integer(at.microsecondsSinceEpoch), .integer(at.microsecondsSinceEpoch), .text(stepKey), .integer(until)], operation: "ending a snooze"
                )
                try Self.insertEvent(connection, HistoryEvent(at: at, kind: "unsnoozed", compactID: compactID, subject: stepKey, detail: "snooze until \(Instant(microsecondsSinceEpoch: until).rfc3339UTC) ended early", actor: by))
            }
        }
    }

    public func disableChannel(_ state: ChannelState) async throws(StateStoreError) {
        try await run { connection throws(StateStoreError) in
            try connection.transaction("disabling a channel") { () throws(StateStoreError) in
                try connection.query(
                    "INSERT INTO channel_state (channel, disabled_at, reason) VALUES (?, ?, ?) ON CONFLICT (channel) DO NOTHING",
                    [.text(state.channel), .integer(state.disabledAt.microsecondsSinceEpoch), .text(state.reason)], operation: "disabling a channel"
                )
                try Self.insertEvent(connection, HistoryEvent(at: state.disabledAt, kind: "channel-disabled", compactID: nil, subject: state.channel, detail: state.reason))
            }
        }
    }

    public func enableChannel(_ channel: String, by: String?, at: Instant) async throws(StateStoreError) {
        try await run { connection throws(StateStoreError) in
            try connection.transaction("re-enabling a channel") { () throws(StateStoreError) in
                let removed = try connection.query("DELETE FROM channel_state WHERE channel = ?", [.text(channel)], operation: "re-enabling a channel")
                if removed == 0 {
                    throw StateStoreError(code: .notFound, message: "channel \(channel) is not disabled", operation: "re-enabling a channel")
                }
                try Self.insertEvent(connection, HistoryEvent(at: at, kind: "channel-enabled", compactID: nil, subject: channel, actor: by))
            }
        }
    }

    public func disabledChannels() async throws(StateStoreError) -> [ChannelState] {
        try await run { connection throws(StateStoreError) in
            var result: [ChannelState] = []
            try connection.query("SELECT channel, disabled_at, reason FROM channel_state ORDER BY channel", operation: "reading channel state") { row in
                result.append(ChannelState(channel: row.text(0), disabledAt: Instant(microsecondsSinceEpoch: row.int(1)), reason: row.text(2)))
            }
            return result
        }
    }

    /// Rows of one status back to pending, due now, each with a `retried` history event.
    public func requeue(status: DeliveryStatus, ids: [String]?, channel: String?, by: String?, at: Instant, detail: String?) async throws(StateStoreError) -> Int {
        try await run { connection throws(StateStoreError) in
            try connection.transaction("retrying deliveries") { () throws(StateStoreError) -> Int in
                var targets: [(id: String, compactID: String, channel: String, tried: Bool)] = []
                var sql = "SELECT id, compact_id, channel, attempts > 0 FROM deliveries WHERE status = '\(status.rawValue)'"
                var values: [SQLiteValue] = []
                if let ids {
                    sql += " AND id IN (\(ids.map { _ in "?" }.joined(separator: ",")))"
                    values += ids.map { .text($0) }
                }
                if let channel {
                    sql += " AND channel = ?"
                    values.append(.text(channel))
                }
                try connection.query(sql, values, operation: "retrying dead letters") { row in targets.append((row.text(0), row.text(1), row.text(2), row.int(3) != 0)) }
                var counts = OutboxSummaryChanges()
                for (id, compactID, channel, tried) in targets {
                    counts.move(channel: channel, from: status, triedBefore: tried, to: .pending, triedAfter: tried, at: at.microsecondsSinceEpoch)
                    try connection.query(
                        "UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ?",
                        [.integer(at.microsecondsSinceEpoch), .integer(at.microsecondsSinceEpoch), .text(id)], operation: "retrying dead letters"
                    )
                    try Self.insertEvent(connection, HistoryEvent(at: at, kind: "retried", compactID: compactID, subject: id, detail: detail, actor: by))
                }
                try counts.apply(on: connection)
                return targets.count
            }
        }
    }

    // MARK: - Reading

    /// Through deliveries_send_at: the rows of the look-back, not every row ever written.
    static let writtenIDsSQL = "SELECT id FROM deliveries WHERE send_at >= ?"

    public func writtenIDs(sendAtFrom: Instant) async throws(StateStoreError) -> Set<String> {
        try await run { connection throws(StateStoreError) in
            var ids: Set<String> = []
            try connection.query(Self.writtenIDsSQL, [.integer(sendAtFrom.microsecondsSinceEpoch)], operation: "reading the outbox") { row in
                ids.insert(row.text(0))
            }
            return ids
        }
    }

    public func delivery(id: String) async throws(StateStoreError) -> DeliveryRecord? {
        try await run { connection throws(StateStoreError) in
            var found: DeliveryRecord?
            try connection.query("SELECT \(Self.deliveryColumns) FROM deliveries WHERE id = ?", [.text(id)], operation: "reading a delivery") { row in
                found = Self.deliveryRecord(row)
            }
            return found
        }
    }

    public func deliveries(status: DeliveryStatus?, channel: String?, limit: Int) async throws(StateStoreError) -> [DeliveryRecord] {
        try await run { connection throws(StateStoreError) in
            var sql = "SELECT \(Self.deliveryColumns) FROM deliveries WHERE 1 = 1"
            var values: [SQLiteValue] = []
            if let status {
                sql += " AND status = ?"
                values.append(.text(status.rawValue))
            }
            if let channel {
                sql += " AND channel = ?"
                values.append(.text(channel))
            }
            sql += " ORDER BY send_at, id LIMIT ?"
            values.append(.int(limit))
            var result: [DeliveryRecord] = []
            try connection.query(sql, values, operation: "reading deliveries") { row in result.append(Self.deliveryRecord(row)) }
            return result
        }
    }

    public func attempts(deliveryID: String?, since: Instant?, limit: Int) async throws(StateStoreError) -> [AttemptRecord] {
        try await run { connection throws(StateStoreError) in
            var sql = "SELECT \(Self.attemptColumns) FROM attempts WHERE 1 = 1"
            var values: [SQLiteValue] = []
            if let deliveryID {
                sql += " AND delivery_id = ?"
                values.append(.text(deliveryID))
            }
            if let since {
                sql += " AND finished_at >= ?"
                values.append(.integer(since.microsecondsSinceEpoch))
            }
            sql += " ORDER BY finished_at, delivery_id, number LIMIT ?"
            values.append(.int(limit))
            var result: [AttemptRecord] = []
            try connection.query(sql, values, operation: "reading attempts") { row in result.append(Self.attemptRecord(row)) }
            return result
        }
    }

    static let attemptColumns = "delivery_id, number, started_at, finished_at, outcome, http_status, smtp_reply, curl_code, curl_error, latency_ms, next_attempt_at, detail"

    static func attemptRecord(_ row: SQLiteRow) -> AttemptRecord {
        AttemptRecord(
            deliveryID: row.text(0), number: Int(row.int(1)), startedAt: Instant(microsecondsSinceEpoch: row.int(2)),
            finishedAt: Instant(microsecondsSinceEpoch: row.int(3)), outcome: AttemptOutcome(rawValue: row.text(4)) ?? .retry,
            httpStatus: row.optionalInt(5).map { Int($0) }, smtpReply: row.optionalText(6), curlCode: row.optionalInt(7).map { Int($0) },
            curlError: row.optionalText(8), latencyMilliseconds: Int(row.int(9)),
            nextAttemptAt: row.optionalInt(10).map(Instant.init(microsecondsSinceEpoch:)), detail: row.optionalText(11)
        )
    }

    public func history(compactID: String?, since: Instant?, kinds: Set<String>?, limit: Int) async throws(StateStoreError) -> [HistoryEvent] {
        try await run { connection throws(StateStoreError) in
            var sql = "SELECT seq, at, kind, compact_id, subject, detail, actor FROM events WHERE 1 = 1"
            var values: [SQLiteValue] = []
            if let compactID {
                sql += " AND compact_id = ?"
                values.append(.text(compactID))
            }
            if let since {
                sql += " AND at >= ?"
                values.append(.integer(since.microsecondsSinceEpoch))
            }
            if let kinds, !kinds.isEmpty {
                sql += " AND kind IN (\(kinds.map { _ in "?" }.joined(separator: ",")))"
                values += kinds.sorted().map { .text($0) }
            }
            sql += " ORDER BY at DESC, seq DESC LIMIT ?"
            values.append(.int(limit))
            var result: [HistoryEvent] = []
            try connection.query(sql, values, operation: "reading the history") { row in
                result.append(HistoryEvent(sequence: row.int(0), at: Instant(microsecondsSinceEpoch: row.int(1)), kind: row.text(2), compactID: row.optionalText(3), subject: row.text(4), detail: row.optionalText(5), actor: row.optionalText(6)))
            }
            return result.reversed()
        }
    }

    /// A compact's notices by id: every notice's id starts with its compact's id and "/" (an id
    /// has no "/" of its own), so the primary keys' indexes hold a compact's rows side by side,
    /// from "ID/" up to "ID0" ("0" follows "/"; "bell-gardens/..." sorts before "bell/"). Read
    /// that way, one compact's history costs its own rows, not every row ever written (at a
    /// million rows `history --compact` took 2.6 s).
    static func idRange(of compactID: String) -> [SQLiteValue] { [.text(compactID + "/"), .text(compactID + "0")] }

    /// `recentDeliveries`' statement: a compact's through the id range (?1, ?2, then the
    /// compact ?3), `since` as the next number; the limit last.
    static func recentDeliveriesSQL(compact: Bool, since: Bool) -> String {
        var sql = "SELECT \(deliveryColumns) FROM deliveries WHERE 1 = 1"
        if compact { sql += " AND id >= ? AND id < ? AND compact_id = ?" }
        if since { sql += " AND created_at >= ?" }
        return sql + " ORDER BY created_at DESC, id DESC LIMIT ?"
    }

    /// `recentAttempts`' statement, the same way: a compact's attempts by delivery id.
    static func recentAttemptsSQL(compact: Bool, since: Bool) -> String {
        var sql = "SELECT \(attemptColumnsOfA) FROM attempts a"
        if compact { sql += " JOIN deliveries d ON d.id = a.delivery_id WHERE a.delivery_id >= ? AND a.delivery_id < ? AND d.compact_id = ?" }
        if since { sql += (compact ? " AND" : " WHERE") + " a.finished_at >= ?" }
        return sql + " ORDER BY a.finished_at DESC, a.delivery_id DESC, a.number DESC LIMIT ?"
    }

    public func recentDeliveries(compactID: String?, since: Instant?, limit: Int) async throws(StateStoreError) -> [DeliveryRecord] {
        try await run { connection throws(StateStoreError) in
            var values: [SQLiteValue] = []
            if let compactID { values += Self.idRange(of: compactID) + [.text(compactID)] }
            if let since { values.append(.integer(since.microsecondsSinceEpoch)) }
            values.append(.int(limit))
            var result: [DeliveryRecord] = []
            try connection.query(Self.recentDeliveriesSQL(compact: compactID != nil, since: since != nil), values, operation: "reading recent deliveries") { row in
                result.append(Self.deliveryRecord(row))
            }
            return result.reversed()
        }
    }

    public func recentAttempts(compactID: String?, since: Instant?, limit: Int) async throws(StateStoreError) -> [AttemptRecord] {
        try await run { connection throws(StateStoreError) in
            var values: [SQLiteValue] = []
            if let compactID { values += Self.idRange(of: compactID) + [.text(compactID)] }
            if let since { values.append(.integer(since.microsecondsSinceEpoch)) }
            values.append(.int(limit))
            var result: [AttemptRecord] = []
            try connection.query(Self.recentAttemptsSQL(compact: compactID != nil, since: since != nil), values, operation: "reading recent attempts") { row in
                result.append(Self.attemptRecord(row))
            }
            return result.reversed()
        }
    }

    public func lastDeliveredByCompact() async throws(StateStoreError) -> [String: Instant] {
        try await run { connection throws(StateStoreError) in
            var result: [String: Instant] = [:]
            try connection.query("SELECT compact_id, MAX(updated_at) FROM deliveries WHERE status = 'delivered' GROUP BY compact_id", operation: "finding the last contact") { row in
                result[row.text(0)] = Instant(microsecondsSinceEpoch: row.int(1))
            }
            return result
        }
    }

    public func lastContactByCompact() async throws(StateStoreError) -> [String: Instant] {
        try await run { connection throws(StateStoreError) in
            var result: [String: Instant] = [:]
            func keep(_ compact: String, _ at: Int64) {
                let instant = Instant(microsecondsSinceEpoch: at)
                if result[compact].map({ $0 < instant }) ?? true { result[compact] = instant }
            }
            try connection.query(Self.lastContactSQL, operation: "finding the last contact") { row in keep(row.text(0), row.int(1)) }
            try connection.query(
                "SELECT compact_id, MAX(at) FROM acknowledgments WHERE note IS NOT NULL AND note <> '' GROUP BY compact_id", operation: "finding the last contact"
            ) { row in keep(row.text(0), row.int(1)) }
            return result
        }
    }

    public func queueCounts() async throws(StateStoreError) -> QueueCounts {
        try await run { connection throws(StateStoreError) in
            var counts = QueueCounts(pending: 0, dead: 0)
            try connection.query(Self.queueCountsSQL, operation: "counting the queue") { row in
                counts = QueueCounts(pending: Int(row.int(0)), dead: Int(row.int(1)))
            }
            return counts
        }
    }

    /// Each compact's latest delivered notice that reached a contact: from compact to compact
    /// through the deliveries_contacted index (the next compact id after the last, then its
    /// latest time), so the cost follows the number of compacts, not of rows ever written.
    static let lastContactSQL = """
        WITH RECURSIVE contacted(compact) AS (
            SELECT MIN(compact_id) FROM deliveries WHERE status = 'delivered' AND contact IS NOT NULL
            UNION ALL
            SELECT (SELECT MIN(compact_id) FROM deliveries WHERE status = 'delivered' AND contact IS NOT NULL AND compact_id > contacted.compact)
            FROM contacted WHERE contacted.compact IS NOT NULL
        )
        SELECT compact, (SELECT MAX(updated_at) FROM deliveries WHERE status = 'delivered' AND contact IS NOT NULL AND compact_id = contacted.compact)
        FROM contacted WHERE compact IS NOT NULL
        """

    /// Each count reads its partial index (deliveries_pending, deliveries_dead), not the table.
    static let queueCountsSQL = "SELECT (SELECT COUNT(*) FROM deliveries WHERE status = 'pending'), (SELECT COUNT(*) FROM deliveries WHERE status = 'dead')"

    /// From the counts the outbox's writes keep (`delivery_counts`): a handful of rows, however
    /// long the history (at a million rows, counting every row took 0.94 s a scrape).
    public func statusCounts() async throws(StateStoreError) -> [DeliveryStatus: Int] {
        try await run { connection throws(StateStoreError) in
            var counts: [DeliveryStatus: Int] = [:]
            try connection.query("SELECT status, SUM(rows) FROM delivery_counts GROUP BY status HAVING SUM(rows) <> 0", operation: "counting the outbox") { row in
                if let status = DeliveryStatus(rawValue: row.text(0)) { counts[status] = Int(row.int(1)) }
            }
            return counts
        }
    }

    /// Counts by channel and status, retries among the pending (tried before), and each
    /// channel's last success, from `delivery_counts`: the last time a row became delivered,
    /// which is the latest delivered row's time, delivered being final.
    static let channelCountsSQL = """
        SELECT channel, status, SUM(rows), SUM(CASE WHEN tried THEN rows ELSE 0 END), MAX(latest) FROM delivery_counts
        GROUP BY channel, status HAVING SUM(rows) <> 0
        """
    /// Each channel's last failed attempt and what it said, as the writes keep it.
    static let lastFailureSQL = "SELECT channel, at, detail FROM channel_failures"

    /// What the writes keep (`OutboxSummaryChanges`): no pass over the outbox's rows or
    /// attempts (`compactctl status` at a million rows of history: 4.1 s with every attempt
    /// joined to its delivery, then 0.95-1.18 s and 367 MiB counting the rows, then 0.17-0.24 s
    /// and 192 MiB joining the failed attempts to theirs).
    public func channelSummaries() async throws(StateStoreError) -> [ChannelSummary] {
        try await run { connection throws(StateStoreError) in
            var summaries: [String: ChannelSummary] = [:]
            try connection.query(Self.channelCountsSQL, operation: "summarizing channels") { row in
                let channel = row.text(0)
                var summary = summaries[channel] ?? ChannelSummary(channel: channel)
                if let status = DeliveryStatus(rawValue: row.text(1)) {
                    summary.counts[status] = Int(row.int(2))
                    if status == .pending { summary.retrying = Int(row.int(3)) }
                    if status == .delivered { summary.lastSuccess = row.optionalInt(4).map(Instant.init(microsecondsSinceEpoch:)) }
                }
                summaries[channel] = summary
            }
            try connection.query(Self.lastFailureSQL, operation: "summarizing channels") { row in
                let channel = row.text(0)
                var summary = summaries[channel] ?? ChannelSummary(channel: channel)
                summary.lastFailure = row.optionalInt(1).map(Instant.init(microsecondsSinceEpoch:))
                summary.lastFailureDetail = row.optionalText(2)
                summaries[channel] = summary
            }
            return summaries.values.sorted { $0.channel < $1.channel }
        }
    }

    /// Takes the write lock and lets it go, writing nothing: can the store be written now?
    /// (`/readyz`.) Throws what a write would meet: locked, read-only, no space for the journal.
    public func probeWrite() async throws(StateStoreError) {
        try await run { connection throws(StateStoreError) in
            try connection.execute("BEGIN IMMEDIATE", operation: "probing for writes")
            try connection.execute("ROLLBACK", operation: "probing for writes")
        }
    }

    public func integrityProblems() async throws(StateStoreError) -> String? {
        try await run { connection throws(StateStoreError) in
            var lines: [String] = []
            try connection.query("PRAGMA integrity_check", operation: "checking integrity") { row in lines.append(row.text(0)) }
            return lines == ["ok"] ? nil : lines.joined(separator: "; ")
        }
    }

    /// Every row, read in one read transaction (a consistent copy; works on a read-only handle).
    public func exportAll() async throws(StateStoreError) -> StateExport {
        try await run { connection throws(StateStoreError) in
            try connection.execute("BEGIN", operation: "reading the whole state")
            defer { try? connection.execute("COMMIT", operation: "reading the whole state") }
            do {
                var export = StateExport()
                try connection.query(
                    "SELECT id, step_key, compact_id, channel, contact, send_at, status, attempts, next_attempt_at, last_error, created_at, updated_at, snapshot FROM deliveries ORDER BY rowid",
                    operation: "reading deliveries"
                ) { row in
                    let stopped = row.text(6) == DeliveryStatus.sending.rawValue
                    export.deliveries.append(StateExport.Delivery(
                        id: row.text(0), stepKey: row.text(1), compactID: row.text(2), channel: row.text(3), contact: row.optionalText(4), sendAt: row.int(5),
                        status: stopped ? DeliveryStatus.pending.rawValue : row.text(6), attempts: Int(row.int(7)),
                        nextAttemptAt: stopped ? (row.optionalInt(8) ?? row.int(5)) : row.optionalInt(8), lastError: row.optionalText(9),
                        createdAt: row.int(10), updatedAt: row.int(11), snapshot: row.text(12)
                    ))
                }
                try connection.query("SELECT \(Self.attemptColumns) FROM attempts ORDER BY delivery_id, number", operation: "reading attempts") { row in
                    export.attempts.append(Self.attemptRecord(row))
                }
                try connection.query("SELECT step_key, compact_id, at, actor, note, source FROM acknowledgments ORDER BY step_key", operation: "reading acknowledgments") { row in
                    export.acknowledgments.append(.init(stepKey: row.text(0), compactID: row.text(1), at: row.int(2), actor: row.optionalText(3), note: row.optionalText(4), source: row.text(5)))
                }
                try connection.query("SELECT step_key, compact_id, at, until, actor, note, source FROM snoozes ORDER BY step_key", operation: "reading snoozes") { row in
                    export.snoozes.append(.init(stepKey: row.text(0), compactID: row.text(1), at: row.int(2), until: row.int(3), actor: row.optionalText(4), note: row.optionalText(5), source: row.text(6)))
                }
                try connection.query("SELECT channel, disabled_at, reason FROM channel_state ORDER BY channel", operation: "reading channel state") { row in
                    export.channelStates.append(ChannelState(channel: row.text(0), disabledAt: Instant(microsecondsSinceEpoch: row.int(1)), reason: row.text(2)))
                }
                try connection.query("SELECT seq, at, kind, compact_id, subject, detail, actor FROM events ORDER BY seq", operation: "reading the history") { row in
                    export.events.append(HistoryEvent(sequence: row.int(0), at: Instant(microsecondsSinceEpoch: row.int(1)), kind: row.text(2), compactID: row.optionalText(3), subject: row.text(4), detail: row.optionalText(5), actor: row.optionalText(6)))
                }
                return export
            }
        }
    }
}
