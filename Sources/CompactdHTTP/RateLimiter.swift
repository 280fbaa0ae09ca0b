import CompactdCore
import Synchronization

/// A token bucket per client address for the token endpoints, in bounded memory: at most
/// `maxClients` addresses are remembered; when full, the bucket idle longest is forgotten (a
/// flood of addresses costs the flooder its own buckets, not the server's memory).
final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: Instant
    }

    let capacity: Double
    let refillPerSecond: Double
    let maxClients: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    /// - Parameters:
    ///   - burst: requests allowed at once.
    ///   - perMinute: the sustained rate.
    init(burst: Int = 20, perMinute: Int = 30, maxClients: Int = 10_000) {
        capacity = Double(burst)
        refillPerSecond = Double(perMinute) / 60
        self.maxClients = maxClients
    }

    /// True when the client may make one more request now (and counts it).
    func allow(_ client: String, now: Instant) -> Bool {
        buckets.withLock { buckets in
            var bucket = buckets[client] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = Double(max(0, now.microsecondsSinceEpoch - bucket.updated.microsecondsSinceEpoch)) / 1_000_000
            bucket.tokens = min(capacity, bucket.tokens + elapsed * refillPerSecond)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            if buckets[client] == nil && buckets.count >= maxClients {
                // Forget the longest idle; a full bucket would be forgotten at no loss.
                if let idle = buckets.min(by: { $0.value.updated < $1.value.updated })?.key { buckets.removeValue(forKey: idle) }
            }
            buckets[client] = bucket
            return allowed
        }
    }

    var trackedClients: Int { buckets.withLock { $0.count } }
}
