/// The SQLite schema, as numbered migrations applied in order at start. `PRAGMA user_version`
/// records the last one applied; a migration never changes once released.
enum SQLiteSchema {
    static let migrations: [String] = [
        // 1: the outbox, attempts, operator actions, channel state, history.
        """
        CREATE TABLE deliveries (
            id TEXT PRIMARY KEY,
            step_key TEXT NOT NULL,
            compact_id TEXT NOT NULL,
            channel TEXT NOT NULL,
            contact TEXT,
            send_at INTEGER NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER,
            last_error TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            snapshot TEXT NOT NULL
        );
        CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
        CREATE INDEX deliveries_step ON deliveries (step_key);
        CREATE INDEX deliveries_channel ON deliveries (channel, status);
        CREATE TABLE attempts (
            delivery_id TEXT NOT NULL REFERENCES deliveries (id),
            number INTEGER NOT NULL,
            started_at INTEGER NOT NULL,
            finished_at INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            http_status INTEGER,
            smtp_reply TEXT,
            curl_code INTEGER,
            curl_error TEXT,
            latency_ms INTEGER NOT NULL,
            next_attempt_at INTEGER,
            detail TEXT,
            PRIMARY KEY (delivery_id, number)
        );
        CREATE INDEX attempts_finished ON attempts (finished_at);
        CREATE TABLE acknowledgments (
            step_key TEXT PRIMARY KEY,
            compact_id TEXT NOT NULL,
            at INTEGER NOT NULL,
            actor TEXT,
            note TEXT,
            source TEXT NOT NULL
        );
        CREATE TABLE snoozes (
            step_key TEXT PRIMARY KEY,
            compact_id TEXT NOT NULL,
            at INTEGER NOT NULL,
            until INTEGER NOT NULL,
            actor TEXT,
            note TEXT,
            source TEXT NOT NULL
        );
        CREATE TABLE channel_state (
            channel TEXT PRIMARY KEY,
            disabled_at INTEGER NOT NULL,
            reason TEXT NOT NULL
        );
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            compact_id TEXT,
            subject TEXT NOT NULL,
            detail TEXT,
            actor TEXT
        );
        CREATE INDEX events_at ON events (at);
        """,
        // 2: claims read due rows in (next_attempt_at, id) order; with id in the index a claim
        // stops after the rows it takes, instead of sorting every row due at the same instant
        // (thousands when many reminders share a send time).
        """
        CREATE INDEX deliveries_due_order ON deliveries (status, next_attempt_at, id);
        DROP INDEX deliveries_due;
        """,
        // 3: fewer pages written per delivery (measured: 54,000 pwrite calls for 20,000 webhooks,
        // then 36,000; 15,000 then 19,500 deliveries/s). Only pending rows are indexed for the
        // claim, so a row leaves the index once and is not re-filed under each later status;
        // pending rows are claimed in the order they were written among those due at the same
        // instant (rowid), so one claim's rows share table pages instead of being spread over
        // the table in id order; the (channel, status) index, rewritten at every change of
        // status, goes: the per-channel summary reads the table instead.
        """
        CREATE INDEX deliveries_pending ON deliveries (next_attempt_at) WHERE status = 'pending';
        DROP INDEX deliveries_due_order;
        DROP INDEX deliveries_channel;
        """,
        // 4: dead letters counted without reading the table (the daemon's status after every
        // pass; with a year of history at 10,000 compacts, a scan of every row each time). Dead
        // rows are few and change rarely, so the index costs the delivery path nothing.
        """
        CREATE INDEX deliveries_dead ON deliveries (channel) WHERE status = 'dead';
        """,
        // 5: the status pages, `agenda` and `check` read what was written in the look-back
        // (send_at) and each compact's last contact; both read every row ever written (at
        // 10,000 compacts and a million rows of history, `make bench-pass`: agenda --days 30
        // 0.54-0.65 s and 295 MB, then 0.33-0.36 s and 84). send_at never changes, so its
        // index is written once per row, in place of the index by step, which only ending a
        // snooze read (it finds the rows it holds through deliveries_pending): the outbox's
        // writes cost what they did. The last-contact index holds only delivered notices that
        // reached a contact (email), so webhooks never enter it.
        """
        DROP INDEX deliveries_step;
        CREATE INDEX deliveries_send_at ON deliveries (send_at);
        CREATE INDEX deliveries_contacted ON deliveries (compact_id, updated_at) WHERE status = 'delivered' AND contact IS NOT NULL;
        """,
        // 6: `compactctl status` found each channel's last failure by joining every attempt
        // ever made to its delivery (at a million rows 2.2 s of its 4.1). Failed attempts
        // alone are indexed: a delivered attempt (nearly all of them) never enters it, so the
        // delivery path writes what it did. (The last success is a delivered row's updated_at,
        // read with the counts.)
        """
        CREATE INDEX attempts_failed ON attempts (finished_at) WHERE outcome <> 'delivered';
        """,
        // 7: the outbox counted by channel, status and whether tried, kept by the writes that
        // change it (`OutboxSummaryChanges`) instead of counted from every row ever written at
        // each `/metrics` scrape after a write and each `compactctl status` (at a million rows
        // 0.94 s; `status` 0.95-1.18 s and 367 MiB). `latest` is when a row last came into that
        // state: a channel's last success. With each channel's last failed attempt, which
        // `status` found by joining every failed attempt to its delivery. Both made once here
        // from the rows there are.
        """
        CREATE TABLE delivery_counts (
            channel TEXT NOT NULL,
            status TEXT NOT NULL,
            tried INTEGER NOT NULL,
            rows INTEGER NOT NULL,
            latest INTEGER,
            PRIMARY KEY (channel, status, tried)
        ) WITHOUT ROWID;
        INSERT INTO delivery_counts (channel, status, tried, rows, latest)
        SELECT channel, status, attempts > 0, COUNT(*), MAX(updated_at) FROM deliveries GROUP BY channel, status, attempts > 0;
        CREATE TABLE channel_failures (
            channel TEXT PRIMARY KEY,
            at INTEGER NOT NULL,
            detail TEXT
        ) WITHOUT ROWID;
        INSERT INTO channel_failures (channel, at, detail)
        SELECT d.channel, MAX(a.finished_at), a.detail FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
        WHERE a.outcome <> 'delivered' GROUP BY d.channel;
        """,
    ]
}
