import CompactdCore
import CompactdStore

/// What the HTTP side needs from the daemon, and nothing more: the configuration in force, the
/// store's word, a way to make a change as `compactctl` makes one (recorded, then the loop
/// plans again at once), and the daemon's health. `DaemonService` is the real one; tests may
/// give their own.
public protocol HTTPBackend: Sendable {
    /// The configuration in force (the last good one after a failed reload).
    func currentConfiguration() -> Configuration
    func plannerState() async throws -> PlannerState
    func lastContactByCompact() async throws -> [String: Instant]
    /// The outbox's rows by status (`/metrics`).
    func statusCounts() async throws -> [DeliveryStatus: Int]
    func oldestPendingSendAt() async throws -> Instant?
    /// The ids already in the outbox from `sendAtFrom` on (for the projection of what is next).
    func writtenIDs(sendAtFrom: Instant) async throws -> Set<String>
    /// Records a change made through a link, by `actor` (the recipient's name), then wakes
    /// the loop. The answer is the one-line account, or why it was refused.
    func apply(_ write: OperatorWrite, actor: String) async -> Result<String, OperatorWrite.Refusal>
    func health() async -> DaemonHealth
    /// Nil when the store takes writes now (probed, nothing written), else why not.
    func storeWriteProblem() async -> String?
}

/// The daemon's own account of its loop, for `/healthz` and the metrics (`/readyz` probes the
/// store itself: `storeWriteProblem`).
public struct DaemonHealth: Sendable {
    /// The loop turned recently enough (within the watchdog interval, or a minute without one).
    public var loopAlive: Bool
    /// How long ago the loop last turned.
    public var loopAgeSeconds: Double
    public var nextNotice: Instant?

    public init(loopAlive: Bool, loopAgeSeconds: Double, nextNotice: Instant? = nil) {
        self.loopAlive = loopAlive
        self.loopAgeSeconds = loopAgeSeconds
        self.nextNotice = nextNotice
    }
}
