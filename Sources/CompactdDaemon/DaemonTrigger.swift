import CompactdSystemd

/// What makes the daemon's loop act: time, a clock jump, a poke, or a reload request (from
/// SIGHUP, or from `compactctl reload`, which waits for the answer).
enum DaemonTrigger: Sendable {
    case wakeup(WakeupEvent)
    case reload(reply: (@Sendable (String) -> Void)?)
}
