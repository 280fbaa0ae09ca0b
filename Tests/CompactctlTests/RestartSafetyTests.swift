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
    struct Setup {
        var directory: URL
        var config: String
        var record: String
        var server: ServerProcess
    }

    /// Three deadlines due a few minutes ago (real clock), one webhook channel to a receiver.
    static func setUp() throws -> Setup {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("restart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("compacts"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("templates").path, withDestinationPath: CommandRunner.packageRoot.appendingPathComponent("Config/templates").path)
        let record = directory.appendingPathComponent("received.jsonl").path
        let server = try ServerProcess(script: "http_receiver.py", arguments: ["--record", record])
        try "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".write(to: directory.appendingPathComponent("secret"), atomically: true, encoding: .utf8)
        try """
        time_zone = "UTC"
        state_path = "state.sqlite"
        [policy]
        reminders = ["0"]
        overdue_every = "0"
        shift = "keep"
        [delivery]
        max_concurrent = 1
        [channels.hook]
        type = "webhook"
        url = "http://127.0.0.1:\(server.port)/hook"
        secret_files = ["\(directory.appendingPathComponent("secret").path)"]
        """.write(to: directory.appendingPathComponent("compactd.toml"), atomically: true, encoding: .utf8)
        let zone = ZoneInfo.utc
        var deadlines = ""
        for (i, minutes) in [3, 2, 1].enumerated() {
            let due = zone.localDateTime(at: Instant.now.adding(seconds: Int64(-60 * minutes)))
            deadlines += "[[deadlines]]\nid = \"d\(i)\"\ntitle = \"Deadline \(i)\"\ndue = \(due.date)T\(String(format: "%02d:%02d:00", due.hour, due.minute))\n\n"
        }
        try """
        id = "carson"
        partner = "City of Carson"
        status = "active"
        notify = ["hook"]
        \(deadlines)
        """.write(to: directory.appendingPathComponent("compacts/carson.toml"), atomically: true, encoding: .utf8)
        return Setup(directory: directory, config: directory.appendingPathComponent("compactd.toml").path, record: record, server: server)
    }

    @Test("killed between written and sent: every reminder delivered exactly once after restart")
    func crashAfterEnqueue() async throws {
        let setup = try Self.setUp()
        defer { setup.server.stop(); try? FileManager.default.removeItem(at: setup.directory) }
        let crashed = try CommandRunner.run("compactd", ["--config", setup.config, "--once"], environment: ["COMPACTD_TEST_CRASH_AT": "after-enqueue"])
        #expect(crashed.status == 99)
        #expect(RecordedRequest.load(setup.record).isEmpty)
        let store = try SQLiteStateStore(path: setup.directory.appendingPathComponent("state.sqlite").path)
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
        defer { setup.server.stop(); try? FileManager.default.removeItem(at: setup.directory) }
        let crashed = try CommandRunner.run("compactd", ["--config", setup.config, "--once"], environment: ["COMPACTD_TEST_CRASH_AT": "after-send"])
        #expect(crashed.status == 99)
        let before = RecordedRequest.load(setup.record).compactMap { $0.headers["webhook-id"] }
        #expect(before.count == 1)

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
        let store = try SQLiteStateStore(path: setup.directory.appendingPathComponent("state.sqlite").path)
        #expect(try await store.deliveries(status: .delivered, channel: nil, limit: 10).count == 3)
    }
}
