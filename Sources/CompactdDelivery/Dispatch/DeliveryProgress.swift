import CompactdCore
import Synchronization

/// When a delivery run last moved: a claim answered, a transfer finished, a write committed.
/// The daemon reads it to tell a slow delivery (transfers end at their timeouts, one after
/// another) from a stuck one (nothing ends), and feeds the watchdog only for the former.
public final class DeliveryProgress: Sendable {
    private let last: Mutex<Instant>
    private let clock: @Sendable () -> Instant

    public init(clock: @escaping @Sendable () -> Instant) {
        self.clock = clock
        self.last = Mutex(clock())
    }

    /// Something finished: now is the last progress.
    public func mark() {
        let now = clock()
        last.withLock { $0 = max($0, now) }
    }

    public var lastProgress: Instant { last.withLock { $0 } }
}
