/// What waits in the outbox: deliveries pending (due now or later, retries included) and dead
/// letters waiting for `compactctl retry`. Read through indexes of those rows alone, so the
/// daemon's status line after every pass costs what waits, not every row ever written.
public struct QueueCounts: Sendable, Hashable {
    public var pending: Int
    public var dead: Int

    public init(pending: Int, dead: Int) {
        self.pending = pending
        self.dead = dead
    }
}
