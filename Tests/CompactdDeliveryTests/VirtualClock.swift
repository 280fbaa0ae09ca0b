import CompactdCore
import Synchronization

/// "Now" for a dispatcher under test: starts at a given instant and moves only when told, so
/// a test of a 2-hour retry takes no time. The receivers are real; only the clock is not.
final class VirtualClock: Sendable {
    private let current: Mutex<Instant>

    init(_ start: Instant) { current = Mutex(start) }

    var now: Instant { current.withLock { $0 } }

    func advance(seconds: Int64) { current.withLock { $0 = $0.adding(seconds: seconds) } }

    func set(_ instant: Instant) { current.withLock { $0 = instant } }
}
