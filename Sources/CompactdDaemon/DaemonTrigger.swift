import CompactdCore
import CompactdDelivery
import CompactdSystemd

/// What makes the daemon's loop act: time, a clock jump, a poke, a reload request (from
/// SIGHUP, or from `compactctl reload`, which waits for the answer), the end of a delivery run,
/// or the stop.
enum DaemonTrigger: Sendable {
    case wakeup(WakeupEvent)
    case reload(reply: (@Sendable (String) -> Void)?)
    /// A delivery run ended: its summary, the store's next attempt due after it, or the error
    /// that kept it from being read.
    case deliveryFinished(DispatchSummary, nextAttempt: Instant?, error: String?)
    case stop
}
