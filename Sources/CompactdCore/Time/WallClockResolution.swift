/// What a wall-clock reading means in a zone: one instant, two (the repeated hour when clocks
/// fall back), or none (the skipped hour when they spring forward).
public enum WallClockResolution: Hashable, Sendable {
    /// Exactly one instant shows this reading.
    case unique(utcSeconds: Int64, offset: Int)
    /// Two instants show it; `earlier` is the one before the clocks fell back.
    case ambiguous(earlier: Int64, earlierOffset: Int, later: Int64, laterOffset: Int)
    /// No instant shows it. `shiftedUTCSeconds` reads it with the offset in force before the
    /// transition, as mktime(3) does, which lands after the gap (02:30 becomes 03:30).
    case gap(shiftedUTCSeconds: Int64, offsetBefore: Int, offsetAfter: Int)
}
