import CompactdCore
import CompactdStore
import CompactdTestSupport
import Foundation
import Testing

/// The built `compactd --once` killed on the spot between "written" and "sent", and between
/// "sent" and "recorded", then run again: every reminder arrives, once, or (second case) again
/// under the same identity.
@Suite("compactd restart safety", .serialized)
struct RestartSafetyTests {
    /// Three deadlines due a few minutes ago, one webhook channel, one transfer at a time.
    static func setUp() throws -> DeadlineFixture {
        try DeadlineFixture(deadlines: [("d0", 3), ("d1", 2), ("d2", 1)], delivery: "max_concurrent = 1")
    }

    @Test("killed between written and sent: every reminder delivered exactly once after restart")
    func crashAfterEnqueue() async throws {
        let setup = try Self.setUp()
        defer { setup.remove() }
        let crashed = try CommandRunner.run("compactd", ["--config", setup.config, "--once"], environment: ["COMPACTD_TEST_CRASH_AT": "after-enqueue"])
        #expect(crashed.status == 99)
        #expect(RecordedRequest.load(setup.record).isEmpty)
        let store = try SQLiteStateStore(path: setup.statePath)
        #expect(try await store.deliveries(status: .pending, channel: nil, limit: 10).count == 3)

        let restarted = try CommandRunner.run("compactd", ["--config", setup.config, "--once"])
        #expect(restarted.status == 0, "\(restarted.stderr)")
        #expect(restarted.stdout.contains("enqueued 0 (0 missed), delivered 3"))
        let ids = RecordedRequest.load(setup.record).compactMap { $0.headers["webhook-id"] }
        #expect(ids.count == 3)
        #expect(Set(ids).count == 3)
        #expect(try await store.integrityProblems() == nil)
    }

    @Test("killed between sent and recorded: resent under the same webhook-id, nothing lost")
    func crashAfterSend() async throws {
        let setup = try Self.setUp()
        defer { setup.remove() }
        let crashed = try CommandRunner.run("compactd", ["--config", setup.config, "--once"], environment: ["COMPACTD_TEST_CRASH_AT": "after-send"])
        #expect(crashed.status == 99)
        let before = RecordedRequest.load(setup.record).compactMap { $0.headers["webhook-id"] }
        #expect(before.count == 1)
        // Until the next start puts them back, the rows the killed process claimed are shown as
        // in flight, not counted nowhere; and status says the daemon is not running (exit 3).
        let status = try CommandRunner.run("compactctl", ["status", "--output", "json", "--config", setup.config])
        #expect(status.status == 3, "\(status.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let channel = try #require((report["channels"] as? [[String: Any]])?.first, "\(status.stdout)")
        #expect((channel["in_flight"] as? Int ?? 0) > 0, "\(channel)")
        #expect((channel["in_flight"] as? Int ?? 0) + (channel["pending"] as? Int ?? 0) == 3, "\(channel)")

        let restarted = try CommandRunner.run("compactd", ["--config", setup.config, "--once"])
        #expect(restarted.status == 0, "\(restarted.stderr)")
        #expect(restarted.stdout.contains("delivered 3"))
        // Every row claimed at the crash (sent or not yet) is recovered.
        #expect(restarted.stdout.contains("recovered after interruption"))
        let ids = RecordedRequest.load(setup.record).compactMap { $0.headers["webhook-id"] }
        #expect(ids.count == 4)
        #expect(Set(ids).count == 3)
        // The one sent twice is the one in flight at the crash, under the same identity.
        #expect(ids.filter { $0 == before[0] }.count == 2)
        let store = try SQLiteStateStore(path: setup.statePath)
        #expect(try await store.deliveries(status: .delivered, channel: nil, limit: 10).count == 3)
    }
}
