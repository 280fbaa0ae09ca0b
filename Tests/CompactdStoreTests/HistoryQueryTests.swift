import CompactdCore
import CompactdStore
import Foundation
import Testing

/// What `compactctl history` reads: the newest entries, filtered by compact in the store.
@Suite("history queries")
struct HistoryQueryTests {
    static func delivery(_ id: String, compact: String) -> NewDelivery {
        NewDelivery(id: "\(compact)/deadline/2025-05-01/\(id)/remind-0/hook", stepKey: "\(compact)/deadline/2025-05-01/\(id)", channel: "hook", contact: nil,
                    sendAt: Instant(secondsSinceEpoch: 100), snapshot: SQLiteStateStoreTests.snapshot(compact))
    }

    @Test("the newest deliveries and attempts, oldest first, one compact's or all")
    func newestFiltered() async throws {
        let store = try SQLiteStateStore(path: SQLiteStateStoreTests.temporaryPath())
        // Five deliveries per compact, written one second apart, bell and carson interleaved.
        for i in 0..<5 {
            for (j, compact) in ["bell", "carson"].enumerated() {
                try await store.enqueue([Self.delivery("d\(i)", compact: compact)], now: Instant(secondsSinceEpoch: Int64(10 * i + j)))
            }
        }
        let recent = try await store.recentDeliveries(compactID: "bell", since: nil, limit: 3)
        #expect(recent.map(\.stepKey) == ["bell/deadline/2025-05-01/d2", "bell/deadline/2025-05-01/d3", "bell/deadline/2025-05-01/d4"])
        #expect(try await store.recentDeliveries(compactID: nil, since: nil, limit: 2).map(\.snapshot.compactID) == ["bell", "carson"])
        #expect(try await store.recentDeliveries(compactID: nil, since: Instant(secondsSinceEpoch: 35), limit: 10).count == 2)

        let claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 100), limit: 10, channels: ["hook"])
        #expect(claimed.count == 10)
        for (n, delivery) in claimed.enumerated() {
            try await store.record([AttemptRecord(deliveryID: delivery.id, number: 1, startedAt: Instant(secondsSinceEpoch: Int64(200 + n)), finishedAt: Instant(secondsSinceEpoch: Int64(200 + n)), outcome: .delivered, httpStatus: 204, latencyMilliseconds: 1)])
        }
        let attempts = try await store.recentAttempts(compactID: "carson", since: nil, limit: 2)
        #expect(attempts.count == 2 && attempts.allSatisfy { $0.deliveryID.hasPrefix("carson/") })
        #expect(attempts[0].finishedAt < attempts[1].finishedAt)
        let lastCarson = try #require(claimed.enumerated().last { $0.element.id.hasPrefix("carson/") }?.offset)
        #expect(attempts[1].finishedAt == Instant(secondsSinceEpoch: Int64(200 + lastCarson)))
        #expect(try await store.recentAttempts(compactID: nil, since: Instant(secondsSinceEpoch: 208), limit: 10).count == 2)
    }
}
