import CompactdCore

/// When to try again after a failed attempt. The default is Standard Webhooks' schedule:
/// immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h; after the last
/// the delivery is dead-lettered. Each wait gets up to 10 % random jitter so that many
/// failed deliveries do not return in one burst.
public struct RetrySchedule: Sendable, Hashable {
    /// The wait after attempt 1, 2, ...; the number of attempts is one more than this.
    public var delays: [TimeSpan]
    /// The longest wait a receiver's Retry-After is honoured for.
    public var maximumRetryAfterSeconds: Int64

    public init(delays: [TimeSpan], maximumRetryAfterSeconds: Int64 = 86_400) {
        self.delays = delays
        self.maximumRetryAfterSeconds = maximumRetryAfterSeconds
    }

    public static let standardWebhooks = RetrySchedule(delays: [
        "5s", "5min", "30min", "2h", "5h", "10h", "14h", "20h", "24h",
    ].map { TimeSpan(parsing: $0)! })

    public var maximumAttempts: Int { delays.count + 1 }

    /// The time of the next attempt after attempt `number` failed at `now`, or nil when that
    /// was the last. `retryAfterSeconds` (from the receiver) lengthens the wait, never shortens it.
    public func nextAttempt(after number: Int, now: Instant, retryAfterSeconds: Int64? = nil, jitter: Double) -> Instant? {
        guard number >= 1 && number <= delays.count else { return nil }
        let span = delays[number - 1]
        var seconds = Double(span.days * 86_400 + span.months * 30 * 86_400) + Double(span.microseconds) / 1e6
        seconds += seconds * 0.1 * min(max(jitter, 0), 1)
        if let retryAfterSeconds, retryAfterSeconds > 0 {
            seconds = max(seconds, Double(min(retryAfterSeconds, maximumRetryAfterSeconds)))
        }
        return now.adding(microseconds: Int64(seconds * 1e6))
    }
}
