import CompactdCore

/// How far the outbox is known to hold every planned notice: the `now` of the last planning
/// pass that wrote all it planned, and the acknowledgments and snoozes it planned with.
///
/// The next pass plans only what is sent after it (`Dispatcher.enqueueDue(after:)`), so a pass
/// costs what fell due since the last one. Anything that could change what was planned before
/// it forgets it, and that pass looks back over the whole catch-up window again: other
/// acknowledgments or snoozes (compared here), a reloaded configuration, the clock set, the
/// store opened again (the daemon drops it for those).
struct EnqueueWatermark: Sendable {
    let through: Instant
    let state: PlannerState

    /// Where a pass at `now`, planning with `state`, may start; nil to look back fully.
    func since(state current: PlannerState, now: Instant) -> Instant? {
        guard current == state, through <= now else { return nil }
        return through
    }
}
