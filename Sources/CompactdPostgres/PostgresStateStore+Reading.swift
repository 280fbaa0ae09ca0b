import CompactdCore
import CompactdStore
import Foundation
import PostgresNIO

/// What compactctl, the status pages and the planner read.
extension PostgresStateStore {
    static let deliveryColumns = "id, step_key, channel, contact, send_at, status, attempts, next_attempt_at, last_error, created_at, updated_at, snapshot"
    static let attemptColumns = "delivery_id, number, started_at, finished_at, outcome, http_status, smtp_reply, curl_code, curl_error, latency_ms, next_attempt_at, detail"

    static func deliveryRecord(_ row: PostgresRow) throws -> DeliveryRecord {
        let (id, step, channel, contact, sendAt, status, attempts, next, lastError, created, updated, snapshotText) =
            try row.decode((String, String, String, String?, Int64, String, Int, Int64?, String?, Int64, Int64, String).self)
        let (snapshot, damage) = SQLiteStateStore.decodeChecked(snapshotText)
        return DeliveryRecord(
            id: id, stepKey: step, channel: channel, contact: contact, sendAt: Instant(microsecondsSinceEpoch: sendAt),
            status: DeliveryStatus(rawValue: status) ?? .pending, attempts: attempts, nextAttemptAt: next.map(Instant.init(microsecondsSinceEpoch:)),
            lastError: lastError, createdAt: Instant(microsecondsSinceEpoch: created), updatedAt: Instant(microsecondsSinceEpoch: updated),
            snapshot: snapshot, snapshotDamage: damage
        )
    }

    static func attemptRecord(_ row: PostgresRow) throws -> AttemptRecord {
        let (id, number, started, finished, outcome, http, smtp, curl, curlError, latency, next, detail) =
            try row.decode((String, Int, Int64, Int64, String, Int?, String?, Int?, String?, Int, Int64?, String?).self)
        return AttemptRecord(
            deliveryID: id, number: number, startedAt: Instant(microsecondsSinceEpoch: started), finishedAt: Instant(microsecondsSinceEpoch: finished),
            outcome: AttemptOutcome(rawValue: outcome) ?? .retry, httpStatus: http, smtpReply: smtp, curlCode: curl, curlError: curlError,
            latencyMilliseconds: latency, nextAttemptAt: next.map(Instant.init(microsecondsSinceEpoch:)), detail: detail
        )
    }

    func deliveries(_ operation: String, _ query: PostgresQuery) async throws(StateStoreError) -> [DeliveryRecord] {
        try await perform(operation) { client in
            var result: [DeliveryRecord] = []
            for try await row in try await client.sql(query) { result.append(try Self.deliveryRecord(row)) }
            return result
        }
    }

    func attempts(_ operation: String, _ query: PostgresQuery) async throws(StateStoreError) -> [AttemptRecord] {
        try await perform(operation) { client in
            var result: [AttemptRecord] = []
            for try await row in try await client.sql(query) { result.append(try Self.attemptRecord(row)) }
            return result
        }
    }

    public func writtenIDs(sendAtFrom: Instant) async throws(StateStoreError) -> Set<String> {
        try await perform("reading the outbox") { client in
            var ids: Set<String> = []
            for try await id in try await client.sql("SELECT id FROM deliveries WHERE send_at >= \(sendAtFrom.microsecondsSinceEpoch)").decode(String.self) { ids.insert(id) }
            return ids
        }
    }

    public func delivery(id: String) async throws(StateStoreError) -> DeliveryRecord? {
        try await deliveries("reading a delivery", "SELECT \(unescaped: Self.deliveryColumns) FROM deliveries WHERE id = \(id)").first
    }

    public func deliveries(status: DeliveryStatus?, channel: String?, limit: Int) async throws(StateStoreError) -> [DeliveryRecord] {
        try await deliveries("reading deliveries", """
            SELECT \(unescaped: Self.deliveryColumns) FROM deliveries
            WHERE (\(status == nil) OR status = \(status?.rawValue ?? "")) AND (\(channel == nil) OR channel = \(channel ?? ""))
            ORDER BY send_at, id LIMIT \(limit)
            """)
    }

    public func attempts(deliveryID: String?, since: Instant?, limit: Int) async throws(StateStoreError) -> [AttemptRecord] {
        try await attempts("reading attempts", """
            SELECT \(unescaped: Self.attemptColumns) FROM attempts
            WHERE (\(deliveryID == nil) OR delivery_id = \(deliveryID ?? "")) AND finished_at >= \(since?.microsecondsSinceEpoch ?? Int64.min)
            ORDER BY finished_at, delivery_id, number LIMIT \(limit)
            """)
    }

    public func history(compactID: String?, since: Instant?, kinds: Set<String>?, limit: Int) async throws(StateStoreError) -> [HistoryEvent] {
        let kindList = kinds.flatMap { $0.isEmpty ? nil : $0.sorted() }
        return try await perform("reading the history") { client in
            var result: [HistoryEvent] = []
            let rows = try await client.sql("""
                SELECT seq, at, kind, compact_id, subject, detail, actor FROM events
                WHERE (\(compactID == nil) OR compact_id = \(compactID ?? "")) AND at >= \(since?.microsecondsSinceEpoch ?? Int64.min)
                  AND (\(kindList == nil) OR kind = ANY(\(kindList ?? [])))
                ORDER BY at DESC, seq DESC LIMIT \(limit)
                """)
            for try await (seq, at, kind, compact, subject, detail, actor) in rows.decode((Int64, Int64, String, String?, String, String?, String?).self) {
                result.append(HistoryEvent(sequence: seq, at: Instant(microsecondsSinceEpoch: at), kind: kind, compactID: compact, subject: subject, detail: detail, actor: actor))
            }
            return result.reversed()
        }
    }

    public func recentDeliveries(compactID: String?, since: Instant?, limit: Int) async throws(StateStoreError) -> [DeliveryRecord] {
        try await deliveries("reading recent deliveries", """
            SELECT \(unescaped: Self.deliveryColumns) FROM deliveries
            WHERE (\(compactID == nil) OR compact_id = \(compactID ?? "")) AND created_at >= \(since?.microsecondsSinceEpoch ?? Int64.min)
            ORDER BY created_at DESC, id DESC LIMIT \(limit)
            """).reversed()
    }

    public func recentAttempts(compactID: String?, since: Instant?, limit: Int) async throws(StateStoreError) -> [AttemptRecord] {
        try await attempts("reading recent attempts", """
            SELECT \(unescaped: Self.attemptColumns.split(separator: ",").map { "a." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")) FROM attempts a
            WHERE (\(compactID == nil) OR EXISTS (SELECT 1 FROM deliveries d WHERE d.id = a.delivery_id AND d.compact_id = \(compactID ?? "")))
              AND a.finished_at >= \(since?.microsecondsSinceEpoch ?? Int64.min)
            ORDER BY a.finished_at DESC, a.delivery_id DESC, a.number DESC LIMIT \(limit)
            """).reversed()
    }

    public func lastDeliveredByCompact() async throws(StateStoreError) -> [String: Instant] {
        try await perform("finding the last contact") { client in
            var result: [String: Instant] = [:]
            for try await (compact, at) in try await client.sql("SELECT compact_id, MAX(updated_at) FROM deliveries WHERE status = 'delivered' GROUP BY compact_id").decode((String, Int64).self) {
                result[compact] = Instant(microsecondsSinceEpoch: at)
            }
            return result
        }
    }

    public func lastContactByCompact() async throws(StateStoreError) -> [String: Instant] {
        try await perform("finding the last contact") { client in
            var result: [String: Instant] = [:]
            // Delivered notices from compact to compact through deliveries_contacted (the next
            // compact id after the last, then its latest time): the cost follows the number of
            // compacts, not of rows ever written. Then notes given with acknowledgments.
            let rows = try await client.sql("""
                WITH RECURSIVE contacted(compact) AS (
                    (SELECT compact_id FROM deliveries WHERE status = 'delivered' AND contact IS NOT NULL ORDER BY compact_id LIMIT 1)
                    UNION ALL
                    SELECT (SELECT compact_id FROM deliveries WHERE status = 'delivered' AND contact IS NOT NULL AND compact_id > contacted.compact ORDER BY compact_id LIMIT 1)
                    FROM contacted WHERE contacted.compact IS NOT NULL
                )
                SELECT compact, (SELECT MAX(updated_at) FROM deliveries WHERE status = 'delivered' AND contact IS NOT NULL AND compact_id = contacted.compact)
                FROM contacted WHERE compact IS NOT NULL
                UNION ALL
                SELECT compact_id, MAX(at) FROM acknowledgments WHERE note IS NOT NULL AND note <> '' GROUP BY compact_id
                """)
            for try await (compact, at) in rows.decode((String, Int64).self) {
                let instant = Instant(microsecondsSinceEpoch: at)
                if result[compact].map({ $0 < instant }) ?? true { result[compact] = instant }
            }
            return result
        }
    }

    public func queueCounts() async throws(StateStoreError) -> QueueCounts {
        try await perform("counting the queue") { client in
            // Each count reads its partial index (deliveries_pending, deliveries_dead).
            let rows = try await client.sql("SELECT (SELECT count(*) FROM deliveries WHERE status = 'pending'), (SELECT count(*) FROM deliveries WHERE status = 'dead')")
            var counts = QueueCounts(pending: 0, dead: 0)
            for try await (pending, dead) in rows.decode((Int, Int).self) { counts = QueueCounts(pending: pending, dead: dead) }
            return counts
        }
    }

    public func statusCounts() async throws(StateStoreError) -> [DeliveryStatus: Int] {
        let (counts, changes) = try await perform("counting the outbox") { client in
            var counts: [DeliveryStatus: Int] = [:]
            var changes = 0
            // The changes the writes appended (`delivery_count_changes`), added up.
            let rows = try await client.sql("SELECT status, sum(rows)::bigint, count(*) FROM delivery_count_changes GROUP BY status")
            for try await (status, count, added) in rows.decode((String, Int, Int).self) {
                changes += added
                if count != 0, let status = DeliveryStatus(rawValue: status) { counts[status] = count }
            }
            return (counts, changes)
        }
        await foldCountChanges(ifMoreThan: changes)
        return counts
    }

    public func channelSummaries() async throws(StateStoreError) -> [ChannelSummary] {
        let (summaries, changes) = try await perform("summarizing channels") { client in
            var summaries: [String: ChannelSummary] = [:]
            var changes = 0
            // The rows by channel and status from the changes the writes appended; the last
            // success is the latest time a row became delivered (the outcome's write sets
            // updated_at to the attempt's finish).
            let counts = try await client.sql("""
                SELECT channel, status, sum(rows)::bigint, COALESCE(sum(rows) FILTER (WHERE tried), 0)::bigint, max(latest), count(*)
                FROM delivery_count_changes GROUP BY channel, status
                """)
            for try await (channel, status, count, tried, latest, added) in counts.decode((String, String, Int, Int, Int64?, Int).self) {
                changes += added
                guard count != 0 else { continue }
                var summary = summaries[channel] ?? ChannelSummary(channel: channel)
                if let status = DeliveryStatus(rawValue: status) {
                    summary.counts[status] = count
                    if status == .pending { summary.retrying = tried }
                    if status == .delivered { summary.lastSuccess = latest.map(Instant.init(microsecondsSinceEpoch:)) }
                }
                summaries[channel] = summary
            }
            let failures = try await client.sql(PostgresQuery(unsafeSQL: Self.lastFailuresSQL))
            for try await (channel, failure, detail) in failures.decode((String, Int64, String?).self) {
                var summary = summaries[channel] ?? ChannelSummary(channel: channel)
                summary.lastFailure = Instant(microsecondsSinceEpoch: failure)
                summary.lastFailureDetail = detail
                summaries[channel] = summary
            }
            return (summaries, changes)
        }
        await foldCountChanges(ifMoreThan: changes)
        return summaries.values.sorted { $0.channel < $1.channel }
    }

    /// Each channel's last failure: its newest failed attempt, found by walking failed attempts
    /// (attempts_failed) from the newest until one of that channel, not by joining every failed
    /// attempt to its delivery (130-160 ms at 20,000 failed attempts; this, 0.2 ms).
    static let lastFailuresSQL = """
        SELECT c.channel, f.finished_at, f.detail FROM (SELECT DISTINCT channel FROM delivery_count_changes) AS c
        CROSS JOIN LATERAL (
            SELECT a.finished_at, a.detail FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
            WHERE a.outcome <> 'delivered' AND d.channel = c.channel ORDER BY a.finished_at DESC LIMIT 1
        ) AS f
        """

    /// Once a read has added up more than `countChangesFoldThreshold` changes, they are folded
    /// into one row per channel, status and tried flag, so a read stays as cheap as the
    /// writes since the last fold. One statement: the rows it deletes are the rows it adds up
    /// (others' uncommitted changes stay for the next fold; two folds at once each take only
    /// rows the other did not). Best effort: a read-only session cannot, and the next read
    /// tries again.
    func foldCountChanges(ifMoreThan changes: Int) async {
        guard changes > countChangesFoldThreshold.load(ordering: .relaxed) else { return }
        _ = try? await run("folding the outbox's counts") { client in
            try await client.sql("""
                WITH folded AS (DELETE FROM delivery_count_changes RETURNING *)
                INSERT INTO delivery_count_changes (channel, status, tried, rows, latest)
                SELECT channel, status, tried, sum(rows), max(latest) FROM folded GROUP BY channel, status, tried
                HAVING sum(rows) <> 0
                """)
        }
    }

    public func replicas() async throws(StateStoreError) -> [ReplicaRecord] {
        try await perform("reading the replicas") { client in
            var result: [ReplicaRecord] = []
            let rows = try await client.sql("""
                SELECT r.id, r.host, r.pid, r.version, r.started_at, r.heartbeat_at, r.stopped_at,
                    (SELECT count(*) FROM deliveries d WHERE d.status = 'sending' AND d.lease_holder = r.id), compactd_now_us()
                FROM replicas r ORDER BY r.host, r.started_at
                """)
            for try await (id, host, pid, version, started, heartbeat, stopped, holding, now) in rows.decode((String, String, Int, String, Int64, Int64, Int64?, Int, Int64).self) {
                result.append(ReplicaRecord(
                    id: id, host: host, pid: pid, version: version, startedAt: Instant(microsecondsSinceEpoch: started),
                    heartbeatAt: Instant(microsecondsSinceEpoch: heartbeat), stoppedAt: stopped.map(Instant.init(microsecondsSinceEpoch:)),
                    holding: holding, readAt: Instant(microsecondsSinceEpoch: now)
                ))
            }
            return result
        }
    }

    /// Whether a write would succeed now (a primary that answers, not a read-only standby),
    /// writing nothing.
    public func probeWrite() async throws(StateStoreError) {
        try await transaction("probing for writes") { connection in
            try await connection.sql("SET TRANSACTION READ WRITE")
            try await connection.sql("SELECT 1 FROM compactd_schema FOR UPDATE")
        }
    }

    /// The outbox's own rules, checked: known statuses only, a lease on every row being sent and
    /// on no other, an attempt row for no unknown delivery (the foreign key keeps that).
    public func integrityProblems() async throws(StateStoreError) -> String? {
        try await perform("checking integrity") { client in
            var problems: [String] = []
            let rows = try await client.sql("""
                SELECT 'status', count(*) FROM deliveries WHERE status NOT IN ('pending', 'sending', 'delivered', 'dead', 'cancelled', 'missed')
                UNION ALL SELECT 'sending without a lease', count(*) FROM deliveries WHERE status = 'sending' AND (lease_token IS NULL OR lease_until IS NULL)
                UNION ALL SELECT 'lease on a row not being sent', count(*) FROM deliveries WHERE status <> 'sending' AND lease_token IS NOT NULL
                UNION ALL SELECT 'pending without an attempt time', count(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at IS NULL
                """)
            for try await (what, count) in rows.decode((String, Int).self) where count > 0 { problems.append("\(count) rows: \(what)") }
            return problems.isEmpty ? nil : problems.joined(separator: "; ")
        }
    }
}
