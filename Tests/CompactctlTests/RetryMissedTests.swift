import CompactdCore
import CompactdTestSupport
import Foundation
import Testing

/// A notice recorded as missed (older than catch_up) can be sent after all, under its identity,
/// after a confirmation.
@Suite("compactctl retry --missed", .serialized)
struct RetryMissedTests {
    @Test("refused without a confirmation; with --yes it goes out once, under its identity")
    func resendMissed() throws {
        let fixture = try DeadlineFixture(deadlines: [("old", 120)])
        defer { fixture.remove() }
        // A one-hour catch-up window: the deadline two hours ago is missed, not sent.
        let text = try String(contentsOfFile: fixture.config, encoding: .utf8)
        try ("catch_up = \"1h\"\n" + text).write(toFile: fixture.config, atomically: true, encoding: .utf8)
        let first = try CommandRunner.run("compactd", ["--once"], environment: fixture.environment)
        #expect(first.stdout.contains("(1 missed)"), "\(first.stdout)")
        #expect(RecordedRequest.load(fixture.record).isEmpty)
        let id = fixture.stepKey("old") + "/remind-0/hook"

        let unconfirmed = try CommandRunner.run("compactctl", ["retry", "--missed", id], environment: fixture.environment)
        #expect(unconfirmed.status == 1)
        #expect(unconfirmed.stderr.contains("needs a confirmation: run again with --yes"), "\(unconfirmed.stderr)")
        let notMissed = try CommandRunner.run("compactctl", ["retry", "--missed", "--yes", "nope"], environment: fixture.environment)
        #expect(notMissed.stderr.contains("unknown delivery 'nope'"), "\(notMissed.stderr)")

        let confirmed = try CommandRunner.run("compactctl", ["retry", "--missed", "--yes", id], environment: fixture.environment)
        #expect(confirmed.status == 0, "\(confirmed.stderr)")
        let second = try CommandRunner.run("compactd", ["--once"], environment: fixture.environment)
        #expect(second.stdout.contains("delivered 1"), "\(second.stdout)")
        let received = RecordedRequest.load(fixture.record)
        #expect(received.count == 1)
        #expect(received.first?.headers["webhook-id"] == "msg_" + (try ServerProcess.sha256Prefix32(id)))
        let again = try CommandRunner.run("compactctl", ["retry", "--missed", "--yes", id], environment: fixture.environment)
        #expect(again.status == 1)
        #expect(again.stderr.contains("is delivered, not missed"), "\(again.stderr)")
    }
}
