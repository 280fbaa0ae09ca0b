import CompactdCore
@testable import CompactdDelivery
import CompactdStore
import Synchronization
import Testing

/// The shared state of one delivery pass, without a store or a network: claims one at a time,
/// what is left to release, and outcomes handed out in groups.
@Suite("Delivery run")
struct DeliveryRunTests {
    static let snapshot = NoticeSnapshot(compactID: "bell", partner: "City of Bell", cycleID: "deadline", cycleTitle: "Deadline", occurrence: "2026-11-29", stepID: "d", stepTitle: "D", kind: "reminder", label: "due", detail: "0", dueAtUTC: "2026-11-29T00:00:00Z", dueAtLocal: "2026-11-29 00:00 UTC", timeZone: "UTC", daysUntilDue: 0, commitments: [])

    static func record(_ id: String, channel: String = "hook") -> DeliveryRecord {
        DeliveryRecord(id: id, stepKey: "bell/deadline/2026-11-29/\(id)", channel: channel, contact: nil, sendAt: Instant(secondsSinceEpoch: 0), status: .sending,
                       attempts: 1, nextAttemptAt: nil, lastError: nil, createdAt: Instant(secondsSinceEpoch: 0), updatedAt: Instant(secondsSinceEpoch: 0), snapshot: snapshot)
    }

    static func result(_ id: String, gone: Bool = false) -> AttemptResult {
        var summary = DispatchSummary()
        summary.delivered = 1
        return AttemptResult(summary: summary, record: AttemptRecord(deliveryID: id, number: 1, startedAt: Instant(secondsSinceEpoch: 0), finishedAt: Instant(secondsSinceEpoch: 0), outcome: gone ? .gone : .delivered, latencyMilliseconds: 1),
                             disabledChannel: gone ? ChannelState(channel: "hook", disabledAt: Instant(secondsSinceEpoch: 0), reason: "HTTP 410") : nil)
    }

    /// Hands out batches in order; counts claims and the most ever running at once.
    final class Claims: Sendable {
        struct State {
            var batches: [[DeliveryRecord]]
            var calls = 0
            var running = 0
            var mostRunning = 0
        }
        let state: Mutex<State>
        init(_ batches: [[DeliveryRecord]]) { state = Mutex(State(batches: batches)) }

        func claim() async -> [DeliveryRecord] {
            state.withLock {
                $0.calls += 1
                $0.running += 1
                $0.mostRunning = max($0.mostRunning, $0.running)
            }
            try? await Task.sleep(for: .milliseconds(5))
            return state.withLock {
                $0.running -= 1
                return $0.batches.isEmpty ? [] : $0.batches.removeFirst()
            }
        }
    }

    @Test("eight workers share the claims: one at a time, every delivery handed out once, then none")
    func claimsOneAtATime() async {
        let run = DeliveryRun()
        let claims = Claims([(0..<3).map { Self.record("a\($0)") }, (0..<3).map { Self.record("b\($0)") }])
        let handed = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var mine: [String] = []
                    while let delivery = await run.next(shouldStop: { false }, claim: claims.claim) { mine.append(delivery.id) }
                    return mine
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(handed.sorted() == ["a0", "a1", "a2", "b0", "b1", "b2"])
        let state = claims.state.withLock { $0 }
        #expect(state.mostRunning == 1)
        #expect(state.calls == 3)
        #expect(run.unstarted.isEmpty)
    }

    @Test("with a low-water mark the next claim starts while deliveries are still queued, still one at a time")
    func claimsAhead() async {
        let run = DeliveryRun(lowWater: 3)
        let claims = Claims((0..<4).map { b in (0..<4).map { Self.record("\(b)-\($0)") } })
        // How many claimed deliveries were still waiting for a worker when each claim began.
        let leftAtClaim = Mutex<[Int]>([])
        let claim: @Sendable () async -> [DeliveryRecord] = {
            leftAtClaim.withLock { $0.append(run.unstarted.count) }
            return await claims.claim()
        }
        let handed = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<2 {
                group.addTask {
                    var mine: [String] = []
                    while let delivery = await run.next(shouldStop: { false }, claim: claim) {
                        mine.append(delivery.id)
                        try? await Task.sleep(for: .milliseconds(2))
                    }
                    return mine
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(handed.sorted() == (0..<4).flatMap { b in (0..<4).map { "\(b)-\($0)" } }.sorted())
        #expect(Set(handed).count == handed.count)
        let state = claims.state.withLock { $0 }
        #expect(state.mostRunning == 1)
        #expect(state.calls == 5)
        let left = leftAtClaim.withLock { $0 }
        #expect(left.first == 0)
        #expect(left.dropFirst().allSatisfy { $0 > 0 && $0 < 3 }, "\(left)")
        #expect(run.unstarted.isEmpty)
    }

    @Test("stopping, or a channel gone, leaves claimed deliveries to be released, not sent")
    func unstartedAreReleased() async {
        let run = DeliveryRun()
        let claims = Claims([[Self.record("a"), Self.record("b", channel: "gone"), Self.record("c"), Self.record("d")]])
        run.gone.insert("gone")
        let stop = Mutex(false)
        #expect(await run.next(shouldStop: { stop.withLock { $0 } }, claim: claims.claim)?.id == "a")
        #expect(await run.next(shouldStop: { stop.withLock { $0 } }, claim: claims.claim)?.id == "c")
        stop.withLock { $0 = true }
        #expect(await run.next(shouldStop: { stop.withLock { $0 } }, claim: claims.claim) == nil)
        #expect(run.unstarted.sorted() == ["b", "d"])
    }

    @Test("outcomes come out in groups of writeBatch, one write at a time; a 410 is written at once")
    func groups() {
        let run = DeliveryRun()
        for i in 0..<(DeliveryRun.writeBatch - 1) { #expect(run.deposit(Self.result("r\(i)")) == nil) }
        let first = run.deposit(Self.result("full"))
        #expect(first?.count == DeliveryRun.writeBatch)
        // While that group is being written, more gather; none is handed out.
        #expect(run.deposit(Self.result("gone", gone: true)) == nil)
        #expect(run.pendingGroup() == nil)
        // Written: less than a group waits for the flusher, which then gets it.
        #expect(run.written(failure: nil) == nil)
        #expect(run.pendingGroup()?.map(\.record.deliveryID) == ["gone"])
        #expect(run.written(failure: "disk full") == nil)
        #expect(run.summary.delivered == DeliveryRun.writeBatch + 1)
        #expect(run.summary.storageErrors == 1 && run.summary.lastStorageError == "disk full")
        // With no write in flight, a 410 is handed out by itself.
        #expect(run.deposit(Self.result("gone2", gone: true))?.count == 1)
    }
}
