import Synchronization

/// At most `permits` holders at once; the others wait their turn, first come first served.
///
/// The status overview and the all-compacts calendar plan every compact: at 100,000 compacts
/// each holds 30-80 MiB while it works, and six at once took the daemon from 94 to 510 MiB.
/// Two cores gain nothing from more than two at once, so each of those reads takes a permit
/// from its own gate (a reader of the 195 MB calendar who reads slowly holds one for as long,
/// and must not keep the coordinator's overview waiting). A waiter holds no more than its
/// request, and `release` never suspends, so it can be called from a `defer`.
final class RequestGate: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// The first waiter still waiting (`waiters` before it have been resumed): taking from
        /// the front of an array moved every other waiter.
        var head = 0
    }

    private let state: Mutex<State>
    private let permits: Int

    init(permits: Int) {
        precondition(permits > 0)
        self.permits = permits
        state = Mutex(State(available: permits))
    }

    /// No permit is held and no one waits.
    var isIdle: Bool { state.withLock { $0.available == permits && $0.head == $0.waiters.count } }

    /// How many are waiting for a permit now.
    var waiting: Int { state.withLock { $0.waiters.count - $0.head } }

    /// Returns once the caller holds a permit, which it must give back with `release`.
    func acquire() async {
        let taken = state.withLock { state -> Bool in
            guard state.available > 0 else { return false }
            state.available -= 1
            return true
        }
        if taken { return }
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                // A permit may have come back since the check above.
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Gives a permit back: to the longest waiter, if any.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.head < state.waiters.count else {
                state.available += 1
                return nil
            }
            let next = state.waiters[state.head]
            state.head += 1
            if state.head == state.waiters.count {
                state.waiters.removeAll(keepingCapacity: true)
                state.head = 0
            } else if state.head >= 64 && state.head * 2 >= state.waiters.count {
                // Under a steady line the array never empties: drop the resumed ones.
                state.waiters.removeFirst(state.head)
                state.head = 0
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
