/// Why the daemon's loop woke up.
public enum WakeupEvent: Sendable, Equatable {
    /// The armed time came.
    case timer
    /// The wall clock was set (a jump): re-plan, the next due time may have moved.
    case clockChanged
    /// Something asked for a new pass (an acknowledgment, a reload).
    case poked
}
