import CompactdCore
import CompactdStore
import PostgresNIO

extension PostgresStateStore {
    /// Rows per table now (to refuse a non-empty target, and to check a copy).
    public func tableCounts() async throws(StateStoreError) -> [String: Int] {
        try await perform("counting rows") { client in
            var counts: [String: Int] = [:]
            let rows = try await client.sql("""
                SELECT 'deliveries', count(*) FROM deliveries UNION ALL SELECT 'attempts', count(*) FROM attempts
                UNION ALL SELECT 'acknowledgments', count(*) FROM acknowledgments UNION ALL SELECT 'snoozes', count(*) FROM snoozes
                UNION ALL SELECT 'channel_state', count(*) FROM channel_state UNION ALL SELECT 'events', count(*) FROM events
                """)
            for try await (table, count) in rows.decode((String, Int).self) { counts[table] = count }
            return counts
        }
    }

    /// Writes a whole exported state into this (empty) database in one transaction: all of it
    /// or nothing. Refuses a database that holds any row. Returns the counts read back.
    public func importAll(_ export: StateExport) async throws(StateStoreError) -> [String: Int] {
        let existing = try await tableCounts()
        if existing.values.contains(where: { $0 > 0 }) {
            let held = existing.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            throw StateStoreError(code: .conflict, message: "the target database already holds a state (\(held)); expected an empty one: nothing was copied", operation: "copying the state")
        }
        let chunks = Self.importChunks(export)
        try await perform("copying the state") { client in
            try await client.withTransaction(logger: PostgresStateStore.queryLogger) { connection in
                for (table, payload) in chunks {
                    try await connection.sql(Self.importStatement(table, payload))
                }
                // The history's sequence goes on after the copied events.
                try await connection.sql("SELECT setval(pg_get_serial_sequence('events', 'seq'), GREATEST(1, (SELECT COALESCE(MAX(seq), 0) FROM events)), (SELECT COUNT(*) > 0 FROM events))")
            }
        }
        return try await tableCounts()
    }

    static func importStatement(_ table: String, _ payload: String) -> PostgresQuery {
        switch table {
        case "deliveries":
            return """
                INSERT INTO deliveries (id, step_key, compact_id, channel, contact, send_at, status, attempts, next_attempt_at, last_error, created_at, updated_at, snapshot)
                SELECT e.v->>'id', e.v->>'step_key', e.v->>'compact_id', e.v->>'channel', e.v->>'contact', (e.v->>'send_at')::bigint, e.v->>'status',
                    (e.v->>'attempts')::int, (e.v->>'next_attempt_at')::bigint, e.v->>'last_error', (e.v->>'created_at')::bigint, (e.v->>'updated_at')::bigint, e.v->>'snapshot'
                FROM jsonb_array_elements(\(payload)::jsonb) WITH ORDINALITY AS e(v, n) ORDER BY e.n
                """
        case "attempts":
            return """
                INSERT INTO attempts (delivery_id, number, started_at, finished_at, outcome, http_status, smtp_reply, curl_code, curl_error, latency_ms, next_attempt_at, detail)
                SELECT x.delivery_id, x.number, x.started_at, x.finished_at, x.outcome, x.http_status, x.smtp_reply, x.curl_code, x.curl_error, x.latency_ms, x.next_attempt_at, x.detail
                FROM jsonb_to_recordset(\(payload)::jsonb) AS x(delivery_id text, number int, started_at bigint, finished_at bigint, outcome text, http_status int,
                    smtp_reply text, curl_code int, curl_error text, latency_ms int, next_attempt_at bigint, detail text)
                """
        case "acknowledgments":
            return """
                INSERT INTO acknowledgments (step_key, compact_id, at, actor, note, source)
                SELECT x.step_key, x.compact_id, x.at, x.actor, x.note, x.source
                FROM jsonb_to_recordset(\(payload)::jsonb) AS x(step_key text, compact_id text, at bigint, actor text, note text, source text)
                """
        case "snoozes":
            return """
                INSERT INTO snoozes (step_key, compact_id, at, until, actor, note, source)
                SELECT x.step_key, x.compact_id, x.at, x.until, x.actor, x.note, x.source
                FROM jsonb_to_recordset(\(payload)::jsonb) AS x(step_key text, compact_id text, at bigint, until bigint, actor text, note text, source text)
                """
        case "channel_state":
            return """
                INSERT INTO channel_state (channel, disabled_at, reason)
                SELECT x.channel, x.disabled_at, x.reason FROM jsonb_to_recordset(\(payload)::jsonb) AS x(channel text, disabled_at bigint, reason text)
                """
        default:
            return """
                INSERT INTO events (seq, at, kind, compact_id, subject, detail, actor)
                SELECT x.seq, x.at, x.kind, x.compact_id, x.subject, x.detail, x.actor
                FROM jsonb_to_recordset(\(payload)::jsonb) AS x(seq bigint, at bigint, kind text, compact_id text, subject text, detail text, actor text)
                """
        }
    }

    /// The export as (table, JSON array) pieces of at most 2,000 rows, parents before children.
    static func importChunks(_ export: StateExport) -> [(String, String)] {
        var chunks: [(String, String)] = []
        func add<T>(_ table: String, _ rows: [T], _ write: (inout JSONWriter, T) -> Void) {
            for start in stride(from: 0, to: rows.count, by: 2000) {
                var w = JSONWriter()
                w.beginArray()
                for row in rows[start..<min(start + 2000, rows.count)] {
                    w.beginObject()
                    write(&w, row)
                    w.endObject()
                }
                w.endArray()
                chunks.append((table, w.text))
            }
        }
        add("deliveries", export.deliveries) { w, d in
            w.field("id", d.id); w.field("step_key", d.stepKey); w.field("compact_id", d.compactID); w.field("channel", d.channel)
            w.optionalField("contact", d.contact); w.field("send_at", Int(d.sendAt)); w.field("status", d.status); w.field("attempts", d.attempts)
            w.optionalField("next_attempt_at", d.nextAttemptAt.map { Int($0) }); w.optionalField("last_error", d.lastError)
            w.field("created_at", Int(d.createdAt)); w.field("updated_at", Int(d.updatedAt)); w.field("snapshot", d.snapshot)
        }
        add("attempts", export.attempts) { w, a in
            w.field("delivery_id", a.deliveryID); w.field("number", a.number); w.field("started_at", Int(a.startedAt.microsecondsSinceEpoch))
            w.field("finished_at", Int(a.finishedAt.microsecondsSinceEpoch)); w.field("outcome", a.outcome.rawValue); w.optionalField("http_status", a.httpStatus)
            w.optionalField("smtp_reply", a.smtpReply); w.optionalField("curl_code", a.curlCode); w.optionalField("curl_error", a.curlError)
            w.field("latency_ms", a.latencyMilliseconds); w.optionalField("next_attempt_at", a.nextAttemptAt.map { Int($0.microsecondsSinceEpoch) }); w.optionalField("detail", a.detail)
        }
        add("acknowledgments", export.acknowledgments) { w, a in
            w.field("step_key", a.stepKey); w.field("compact_id", a.compactID); w.field("at", Int(a.at)); w.optionalField("actor", a.actor)
            w.optionalField("note", a.note); w.field("source", a.source)
        }
        add("snoozes", export.snoozes) { w, s in
            w.field("step_key", s.stepKey); w.field("compact_id", s.compactID); w.field("at", Int(s.at)); w.field("until", Int(s.until))
            w.optionalField("actor", s.actor); w.optionalField("note", s.note); w.field("source", s.source)
        }
        add("channel_state", export.channelStates) { w, c in
            w.field("channel", c.channel); w.field("disabled_at", Int(c.disabledAt.microsecondsSinceEpoch)); w.field("reason", c.reason)
        }
        add("events", export.events) { w, e in
            w.field("seq", Int(e.sequence)); w.field("at", Int(e.at.microsecondsSinceEpoch)); w.field("kind", e.kind); w.optionalField("compact_id", e.compactID)
            w.field("subject", e.subject); w.optionalField("detail", e.detail); w.optionalField("actor", e.actor)
        }
        return chunks
    }
}
