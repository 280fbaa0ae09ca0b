/// How one attempt ended, as the store records it.
public enum AttemptOutcome: String, Sendable, Hashable, Codable {
    case delivered
    /// Failed for now; tried again at `nextAttemptAt`.
    case retry
    /// Failed for good; the delivery is dead-lettered.
    case dead
    /// The receiver said 410 Gone: the delivery is dead and the channel disabled.
    case gone

    /// The delivery's status once this outcome is recorded (both stores write it).
    public var deliveryStatus: DeliveryStatus {
        switch self {
        case .delivered: .delivered
        case .retry: .pending
        case .dead, .gone: .dead
        }
    }
}
