import CompactdDelivery

/// Every metric compactd exports on `/metrics`, with its help text (README's list is this
/// one). Metrics are made through swift-metrics anywhere in compactd; `HelpfulPrometheusFactory`
/// gives these names their help and type in the Prometheus registry.
public enum MetricsCatalog {
    public static let outboxRows = "compactd_outbox_rows"
    public static let oldestPendingAge = "compactd_outbox_oldest_pending_age_seconds"
    public static let deadLetters = "compactd_dead_letters"
    public static let nextNotice = "compactd_next_notice_timestamp_seconds"
    public static let reloads = "compactd_reloads_total"
    public static let lastReload = "compactd_last_reload_timestamp_seconds"
    public static let storeErrors = "compactd_store_errors_total"
    public static let buildInfo = "compactd_build_info"
    public static let linkActions = "compactd_link_actions_total"
    public static let up = "compactd_loop_healthy"

    public static let help: [String: String] = [
        DeliveryMetrics.deliveries: "Delivery attempts finished, by channel and outcome (delivered, retry, dead, gone).",
        DeliveryMetrics.attemptDuration: "Duration of one delivery attempt, connect to answer, by channel.",
        outboxRows: "Outbox rows by status (pending, sending, delivered, dead, cancelled, missed).",
        oldestPendingAge: "Age of the oldest pending delivery past its send time, in seconds (0 when none).",
        deadLetters: "Dead-lettered deliveries waiting for compactctl retry.",
        nextNotice: "When the next notice is planned, as a Unix timestamp (0 when none).",
        reloads: "Configuration reloads, by result (ok, error).",
        lastReload: "When the last reload was tried, as a Unix timestamp (0 before any).",
        storeErrors: "State store operations that failed.",
        buildInfo: "compactd's version, as a label; always 1.",
        linkActions: "Action-link requests, by action and result (done, refused, expired, ...).",
        up: "1 when the daemon's loop turned within the watchdog interval, else 0.",
    ]
}
