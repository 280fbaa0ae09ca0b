import CompactdCore
import CompactdHTTP
import CompactdStore
import Foundation

/// The daemon as the HTTP listener sees it: the configuration in force, the store it holds,
/// changes made exactly as `compactctl`'s are (then the loop plans again at once), and its
/// health.
extension DaemonService: HTTPBackend {
    struct StoreUnavailable: Error, CustomStringConvertible {
        var description: String
    }

    func heldStore() throws -> any StateStore {
        let (store, degraded) = state.withLock { ($0.store, $0.degraded) }
        guard let store, degraded == nil else { throw StoreUnavailable(description: degraded ?? "starting") }
        return store
    }

    public func currentConfiguration() -> Configuration { state.withLock { $0.active.configuration } }

    public func plannerState() async throws -> PlannerState { try await heldStore().plannerState() }

    public func lastContactByCompact() async throws -> [String: Instant] { try await heldStore().lastContactByCompact() }

    public func statusCounts() async throws -> [DeliveryStatus: Int] { try await heldStore().statusCounts() }

    public func oldestPendingSendAt() async throws -> Instant? { try await heldStore().oldestPendingSendAt() }

    public func writtenIDs(sendAtFrom: Instant) async throws -> Set<String> { try await heldStore().writtenIDs(sendAtFrom: sendAtFrom) }

    public func apply(_ write: OperatorWrite, actor: String) async -> Result<String, OperatorWrite.Refusal> {
        let store: any StateStore
        do { store = try heldStore() } catch {
            return .failure(OperatorWrite.Refusal(code: "unavailable", message: "compactd cannot use its state store now (\(error)); nothing was changed, try again shortly"))
        }
        do {
            let done = try await write.apply(to: store, unixUser: actor, source: "link", now: clock())
            // Plan again at once: an acknowledgment or a snooze changes what is due.
            _ = state.withLock { $0.wake }?.yield(.wakeup(.poked))
            return .success(done)
        } catch {
            return .failure(error)
        }
    }

    public func storeWriteProblem() async -> String? {
        // The store itself, degraded or not: the probe is the truth of the moment.
        guard let store = state.withLock({ $0.store }) else { return "the state store is not open yet" }
        do {
            try await store.probeWrite()
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Alive while the loop waits for its next trigger, or has handled one for less than the
    /// watchdog interval (a minute without a watchdog).
    public func health() async -> DaemonHealth {
        let now = clock()
        let (busySince, lastTurn, nextWake) = state.withLock { ($0.busySince, $0.lastTurn, $0.nextWake) }
        let limit = Double(notifier.watchdogIntervalMicroseconds ?? 60_000_000) / 1_000_000
        // Before its first turn the loop is starting: busy since the daemon started.
        let busyFor = (busySince ?? (lastTurn == nil ? startedAt : nil)).map { Double(now.microsecondsSinceEpoch - $0.microsecondsSinceEpoch) / 1_000_000 } ?? 0
        let sinceTurn = Double(now.microsecondsSinceEpoch - (lastTurn ?? startedAt).microsecondsSinceEpoch) / 1_000_000
        return DaemonHealth(
            loopAlive: busyFor < limit, loopAgeSeconds: busySince == nil ? sinceTurn : busyFor, nextNotice: nextWake
        )
    }
}
