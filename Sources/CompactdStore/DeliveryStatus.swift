/// Where one delivery stands.
public enum DeliveryStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// Written to the outbox, waiting for its first or next attempt.
    case pending
    /// Claimed by a dispatcher; an attempt is in flight. A delivery found in this state after
    /// a restart was interrupted and is sent again under the same identity.
    case sending
    case delivered
    /// Failed permanently (a 4xx other than 408/425/429/410, an SMTP 5xx, or out of retries).
    case dead
    /// Its step was acknowledged before it was sent.
    case cancelled
    /// It fell due while compactd was down, longer ago than the catch-up window.
    case missed
}
