@testable import CompactdHTTP
import Synchronization
import Testing

/// The gate the overview and the all-compacts calendar take turns through.
@Suite("RequestGate", .timeLimit(.minutes(1)))
struct RequestGateTests {
    /// What the holders did, in order.
    final class Log<Entry: Sendable>: Sendable {
        private let entries = Mutex<[Entry]>([])
        func append(_ entry: Entry) { entries.withLock { $0.append(entry) } }
        var all: [Entry] { entries.withLock { $0 } }
    }

    /// Yields until `gate` has `count` waiters: each waiter is started after the one before
    /// it is in line, so their order is known.
    private func waitUntil(_ gate: RequestGate, hasWaiting count: Int) async {
        while gate.waiting < count { await Task.yield() }
    }

    @Test("two permits: a third holder waits; permits go to the waiters first come, first served, and all come back")
    func turns() async {
        let gate = RequestGate(permits: 2)
        await gate.acquire()
        await gate.acquire()
        let order = Log<String>()
        var tasks: [Task<Void, Never>] = []
        for (index, name) in ["a", "b", "c", "d"].enumerated() {
            tasks.append(Task {
                await gate.acquire()
                order.append(name)
                gate.release()
            })
            await waitUntil(gate, hasWaiting: index + 1)
        }
        #expect(order.all.isEmpty, "none got a permit while both were held")
        // One permit given back: the four go through it one after another, in the order they came.
        gate.release()
        for task in tasks { await task.value }
        #expect(order.all == ["a", "b", "c", "d"])
        #expect(gate.waiting == 0)
        // That permit is back, and the other is still held: one more is taken at once, the
        // next waits until the held one is given back.
        await gate.acquire()
        let late = Task { await gate.withPermit { order.append("late") } }
        await waitUntil(gate, hasWaiting: 1)
        #expect(order.all.count == 4)
        gate.release()
        await late.value
        #expect(order.all.last == "late")
    }

    @Test("a line of 200 waiters is served whole and in order")
    func longLine() async {
        let gate = RequestGate(permits: 1)
        await gate.acquire()
        let order = Log<Int>()
        var tasks: [Task<Void, Never>] = []
        for n in 0..<200 {
            tasks.append(Task { await gate.withPermit { order.append(n) } })
            await waitUntil(gate, hasWaiting: n + 1)
        }
        gate.release()
        for task in tasks { await task.value }
        #expect(order.all == Array(0..<200))
        #expect(gate.waiting == 0)
    }
}
