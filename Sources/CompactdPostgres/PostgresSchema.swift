/// The PostgreSQL schema, as numbered migrations applied in order under an advisory lock (two
/// replicas starting together: one migrates, the other waits and finds it done). The
/// `compactd_schema` row records the last one applied; a migration never changes once
/// released. Each migration is a list of statements (the extended protocol takes one at a time).
///
/// The tables mirror SQLite's (times are microseconds since the epoch, ids the same) so a state
/// moves between them row for row; what only replicas need is added: the lease columns, the
/// insertion order (`seq`, SQLite's rowid), the database's clock, the replicas table.
enum PostgresSchema {
    /// The lock every migrating replica takes (an arbitrary constant: "compactd" in ASCII).
    static let advisoryLockKey: Int64 = 0x636F_6D70_6163_7464

    static let migrations: [[String]] = [
        [
            // The database's clock in compactd's unit: claims and leases are judged by it, so
            // a replica whose own clock is wrong neither sends early nor takes live leases.
            """
            CREATE FUNCTION compactd_now_us() RETURNS bigint LANGUAGE sql VOLATILE
            AS $$ SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint $$
            """,
            """
            CREATE TABLE deliveries (
                seq BIGSERIAL NOT NULL UNIQUE,
                id TEXT PRIMARY KEY,
                step_key TEXT NOT NULL,
                compact_id TEXT NOT NULL,
                channel TEXT NOT NULL,
                contact TEXT,
                send_at BIGINT NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at BIGINT,
                last_error TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                snapshot TEXT NOT NULL,
                lease_holder TEXT,
                lease_token TEXT,
                lease_until BIGINT
            )
            """,
            "CREATE INDEX deliveries_pending ON deliveries (next_attempt_at, seq) WHERE status = 'pending'",
            "CREATE INDEX deliveries_sending ON deliveries (lease_until) WHERE status = 'sending'",
            "CREATE INDEX deliveries_step ON deliveries (step_key)",
            "CREATE INDEX deliveries_send_at ON deliveries (send_at)",
            "CREATE INDEX deliveries_compact ON deliveries (compact_id, created_at)",
            """
            CREATE TABLE attempts (
                delivery_id TEXT NOT NULL REFERENCES deliveries (id),
                number INTEGER NOT NULL,
                started_at BIGINT NOT NULL,
                finished_at BIGINT NOT NULL,
                outcome TEXT NOT NULL,
                http_status INTEGER,
                smtp_reply TEXT,
                curl_code INTEGER,
                curl_error TEXT,
                latency_ms INTEGER NOT NULL,
                next_attempt_at BIGINT,
                detail TEXT,
                replica TEXT,
                PRIMARY KEY (delivery_id, number)
            )
            """,
            "CREATE INDEX attempts_finished ON attempts (finished_at)",
            """
            CREATE TABLE acknowledgments (
                step_key TEXT PRIMARY KEY,
                compact_id TEXT NOT NULL,
                at BIGINT NOT NULL,
                actor TEXT,
                note TEXT,
                source TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE snoozes (
                step_key TEXT PRIMARY KEY,
                compact_id TEXT NOT NULL,
                at BIGINT NOT NULL,
                until BIGINT NOT NULL,
                actor TEXT,
                note TEXT,
                source TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE channel_state (
                channel TEXT PRIMARY KEY,
                disabled_at BIGINT NOT NULL,
                reason TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE events (
                seq BIGSERIAL PRIMARY KEY,
                at BIGINT NOT NULL,
                kind TEXT NOT NULL,
                compact_id TEXT,
                subject TEXT NOT NULL,
                detail TEXT,
                actor TEXT
            )
            """,
            "CREATE INDEX events_at ON events (at)",
            """
            CREATE TABLE replicas (
                id TEXT PRIMARY KEY,
                host TEXT NOT NULL,
                pid INTEGER NOT NULL,
                version TEXT NOT NULL,
                started_at BIGINT NOT NULL,
                heartbeat_at BIGINT NOT NULL,
                stopped_at BIGINT
            )
            """,
        ],
        [
            // Dead letters counted without reading the table (each replica's status after every
            // pass); pending rows already have deliveries_pending.
            "CREATE INDEX deliveries_dead ON deliveries (channel) WHERE status = 'dead'",
        ],
        [
            // Each compact's last contact (the status pages) from compact to compact through
            // an index of delivered notices that reached a contact, instead of every row ever
            // written; webhooks (no contact) never enter it.
            "CREATE INDEX deliveries_contacted ON deliveries (compact_id, updated_at) WHERE status = 'delivered' AND contact IS NOT NULL",
        ],
        [
            // Each channel's last failure (compactctl status) from failed attempts alone,
            // instead of every attempt joined to its delivery; delivered attempts never enter it.
            "CREATE INDEX attempts_failed ON attempts (finished_at) WHERE outcome <> 'delivered'",
        ],
    ]
}
