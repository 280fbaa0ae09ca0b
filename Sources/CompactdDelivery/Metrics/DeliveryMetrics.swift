import CompactdStore
import Metrics

/// The delivery side's metrics, through swift-metrics (the daemon bootstraps it with
/// swift-prometheus for `/metrics`; without a bootstrap they cost nothing). README lists them.
public enum DeliveryMetrics {
    /// `compactd_deliveries_total{channel, outcome}`: attempts finished, by how they ended
    /// (delivered, retry, dead, gone).
    public static let deliveries = "compactd_deliveries_total"
    /// `compactd_delivery_attempt_duration_seconds{channel}`: one attempt, connect to answer.
    public static let attemptDuration = "compactd_delivery_attempt_duration_seconds"

    static func attemptFinished(channel: String, outcome: AttemptOutcome, latencyMilliseconds: Int) {
        Counter(label: deliveries, dimensions: [("channel", channel), ("outcome", outcome.rawValue)]).increment()
        Metrics.Timer(label: attemptDuration, dimensions: [("channel", channel)], preferredDisplayUnit: .seconds)
            .recordNanoseconds(Int64(max(0, latencyMilliseconds)) * 1_000_000)
    }
}
