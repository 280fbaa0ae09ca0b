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
        [
            // The outbox counted by its writes, not by reading every row at each `/metrics`
            // scrape and `compactctl status` (a million rows of history: 0.3-0.6 s a scrape in
            // the database). Each statement that adds, moves or removes rows appends what it
            // changed, per channel, status and whether tried, with the latest time a row came
            // into each (a delivered row's is the last success); readers add the changes up and
            // fold them now and then. Appended, never updated: replicas writing at once wait on
            // no shared counter row. Kept by the database, so every writer (any replica, any
            // version, psql) is counted. The functions keep the schema's search_path, so a
            // session with another one (an operator's psql) finds the same table.
            """
            CREATE TABLE delivery_count_changes (
                channel TEXT NOT NULL,
                status TEXT NOT NULL,
                tried BOOLEAN NOT NULL,
                rows BIGINT NOT NULL,
                latest BIGINT
            )
            """,
            """
            CREATE FUNCTION compactd_count_inserted() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
            BEGIN
                INSERT INTO delivery_count_changes (channel, status, tried, rows, latest)
                SELECT channel, status, attempts > 0, count(*), max(updated_at) FROM inserted GROUP BY 1, 2, 3;
                RETURN NULL;
            END $$
            """,
            """
            CREATE FUNCTION compactd_count_updated() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
            BEGIN
                -- Only rows whose channel, status or tried flag changed: a lease renewed, a
                -- retry time moved, adds nothing.
                INSERT INTO delivery_count_changes (channel, status, tried, rows, latest)
                SELECT channel, status, tried, sum(rows), max(latest) FROM (
                    SELECT o.channel, o.status, o.attempts > 0 AS tried, -1 AS rows, NULL::bigint AS latest
                    FROM before_rows o JOIN after_rows n USING (seq)
                    WHERE (o.channel, o.status, o.attempts > 0) IS DISTINCT FROM (n.channel, n.status, n.attempts > 0)
                    UNION ALL
                    SELECT n.channel, n.status, n.attempts > 0, 1, n.updated_at
                    FROM before_rows o JOIN after_rows n USING (seq)
                    WHERE (o.channel, o.status, o.attempts > 0) IS DISTINCT FROM (n.channel, n.status, n.attempts > 0)
                ) AS moved GROUP BY 1, 2, 3 HAVING sum(rows) <> 0;
                RETURN NULL;
            END $$
            """,
            """
            CREATE FUNCTION compactd_count_deleted() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
            BEGIN
                INSERT INTO delivery_count_changes (channel, status, tried, rows, latest)
                SELECT channel, status, attempts > 0, -count(*), NULL FROM deleted GROUP BY 1, 2, 3;
                RETURN NULL;
            END $$
            """,
            "CREATE TRIGGER deliveries_counted_insert AFTER INSERT ON deliveries REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION compactd_count_inserted()",
            "CREATE TRIGGER deliveries_counted_update AFTER UPDATE ON deliveries REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION compactd_count_updated()",
            "CREATE TRIGGER deliveries_counted_delete AFTER DELETE ON deliveries REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION compactd_count_deleted()",
            // What exists already, counted once. CREATE TRIGGER holds writers off the table
            // until the migration commits: every write is in this count or fires the triggers.
            """
            INSERT INTO delivery_count_changes (channel, status, tried, rows, latest)
            SELECT channel, status, attempts > 0, count(*), max(updated_at) FROM deliveries GROUP BY 1, 2, 3
            """,
        ],
    ]
}
