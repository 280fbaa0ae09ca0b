import NIOCore
import Synchronization

/// At most `permits` holders at once; the others wait their turn, first come first served.
///
/// The status overview and the all-compacts calendar plan every compact: at 100,000 compacts
/// each raised the daemon's peak by 35-110 MiB while it worked, and six at once (three of
/// each) took the daemon from 94 to 510 MiB.
/// Two cores gain nothing from more than two at once, so each of those reads takes a permit
/// from its own gate (a reader of the 195 MB calendar who reads slowly holds one for as long,
/// and must not keep the coordinator's overview waiting). A waiter holds no more than its
/// request, and `release` never suspends, so it can be called from a `defer`.
final class RequestGate: Sendable {
    private struct State {
        var available: Int
        /// In the order they came.
        var waiters = CircularBuffer<CheckedContinuation<Void, Never>>()
    }

    private let state: Mutex<State>
    private let permits: Int

    init(permits: Int) {
        precondition(permits > 0)
        self.permits = permits
        state = Mutex(State(available: permits))
    }

    /// No permit is held and no one waits.
    var isIdle: Bool { state.withLock { $0.available == permits && $0.waiters.isEmpty } }

    /// How many are waiting for a permit now.
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// Returns once the caller holds a permit, which it must give back with `release`.
    func acquire() async {
        // Without waiting when a permit is free (no continuation made); else in line, after
        // looking again under the same lock, as one may have come back meanwhile.
        if state.withLock({ Self.take(&$0) }) { return }
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if Self.take(&state) { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Takes a free permit, if there is one.
    private static func take(_ state: inout State) -> Bool {
        guard state.available > 0 else { return false }
        state.available -= 1
        return true
    }

    /// Gives a permit back: to the longest waiter, if any.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let next = state.waiters.popFirst() else {
                state.available += 1
                return nil
            }
            return next
        }
        next?.resume()
    }

    /// `body`, run holding a permit.
    func withPermit<T>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }
}
