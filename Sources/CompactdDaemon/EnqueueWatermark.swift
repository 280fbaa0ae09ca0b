import CompactdCore

/// What the last planning pass learned: how far the outbox is known to hold every planned
/// notice (the `now` of the last pass that wrote all it planned), the acknowledgments and
/// snoozes it planned with, and the first notice after that.
///
/// The next pass plans only what is sent after `through` (`Dispatcher.enqueueDue(after:)`), so a
/// pass costs what fell due since the last one, and takes `nextPlanned` as the next wake while it
/// is still ahead. Anything that could change what was planned forgets the mark, and that pass
/// looks back over the whole catch-up window and ahead again: other acknowledgments or snoozes
/// (compared here), a reloaded configuration, the clock set, the store opened again (the daemon
/// drops the mark for those).
struct EnqueueWatermark: Sendable {
    let through: Instant
    let state: PlannerState
    /// The first send time after `through` under this configuration and state; nil when none
    /// was found in the horizon looked at.
    let nextPlanned: Instant?

    /// Where a pass at `now`, planning with `state`, may start; nil to look back fully.
    func since(state current: PlannerState, now: Instant) -> Instant? {
        guard current == state, through <= now else { return nil }
        return through
    }

    /// The first send time after `now`, when the mark still knows it: nothing is sent between
    /// `through` and `nextPlanned`, so for a `now` in between it is still the first. Nil when it
    /// does not know: another state, the clock before the mark or at `nextPlanned` or past it, or
    /// nothing found ahead (whose horizon has moved on since).
    func knownNextPlanned(state current: PlannerState, now: Instant) -> Instant? {
        guard current == state, through <= now, let nextPlanned, now < nextPlanned else { return nil }
        return nextPlanned
    }
}
