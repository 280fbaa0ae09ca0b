import CompactdCore
import CompactdStore
import CompactdTestSupport
import Foundation
import Testing

/// The operator's commands on the built binaries: ack, unack, snooze, status, history, retry.
@Suite("compactctl operator workflow", .serialized)
struct OperatorWorkflowTests {
    static func setUp(responses: String = "200") throws -> DeadlineFixture {
        try DeadlineFixture(deadlines: [("first", 2), ("second", 1)], responses: responses)
    }

    @Test("ack stops that step's reminder and only that step's; history shows it")
    func ackStopsOnlyThatStep() throws {
        let setup = try Self.setUp()
        defer { setup.remove() }
        // The state must exist first: one run with nothing due yet would do; here the first run
        // happens after the ack, so create the state with a status call's precondition in mind.
        let missing = try CommandRunner.run("compactctl", ["ack", setup.stepKey("first")], environment: setup.environment)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no state at"))
        _ = try SQLiteStateStore(path: setup.statePath)

        let ack = try CommandRunner.run("compactctl", ["ack", setup.stepKey("first"), "--by", "maria", "--note", "met with the city"], environment: setup.environment)
        #expect(ack.status == 0, "\(ack.stderr)")
        #expect(ack.stdout.hasPrefix("acknowledged \(setup.stepKey("first"))"))
        let again = try CommandRunner.run("compactctl", ["ack", setup.stepKey("first")], environment: setup.environment)
        #expect(again.status == 1)
        #expect(again.stderr.contains("is already acknowledged"))

        let run = try CommandRunner.run("compactd", ["--once"], environment: setup.environment)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("delivered 1"))
        let received = RecordedRequest.load(setup.record).compactMap { ($0.json["data"] as? [String: Any])?["notice_id"] as? String }
        #expect(received == ["\(setup.stepKey("second"))/remind-0/hook"])

        let history = try CommandRunner.run("compactctl", ["history", "--output", "json"], environment: setup.environment)
        #expect(history.status == 0)
        let lines = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        // No daemon runs: root wrote directly, and the history names root, for maria.
        let root = String(cString: getpwuid(geteuid())!.pointee.pw_name)
        #expect(lines.contains { $0["kind"] as? String == "acknowledged" && $0["actor"] as? String == "\(root) on behalf of maria" && $0["detail"] as? String == "met with the city" })
        #expect(lines.contains { $0["kind"] as? String == "attempt" && ($0["detail"] as? String)?.contains("delivered, HTTP 200") == true })

        let unack = try CommandRunner.run("compactctl", ["unack", setup.stepKey("first")], environment: setup.environment)
        #expect(unack.status == 0, "\(unack.stderr)")
        let rerun = try CommandRunner.run("compactd", ["--once"], environment: setup.environment)
        #expect(rerun.stdout.contains("delivered 1"))
        #expect(RecordedRequest.load(setup.record).count == 2)
    }

    @Test("bad references and times: a clear one-line reason, non-zero exit, nothing changed", arguments: [
        (["ack", "springfield/deadline/2026-01-01/x"], "unknown compact 'springfield'"),
        (["ack", "carson/deadline/2026-01-01/nope"], "compact carson has no deadline 'nope'"),
        (["ack", "carson/summer"], "is not a step occurrence"),
        (["ack", "carson/summer/2026-01-01"], "compact carson has no cycle 'summer'"),
        (["ack", "--compact", "carson", "--cycle", "deadline", "--step", "first", "--occurrence", "1999-01-01"], "has no occurrence on 1999-01-01"),
        (["snooze", "--compact", "carson", "--cycle", "deadline", "--step", "first", "--until", "2001-01-01 00:00"], "is in the past"),
        (["retry", "--all", "--channel", "hook"], "give exactly one of"),
        (["retry", "no-such-delivery"], "unknown delivery 'no-such-delivery'"),
    ])
    func badInput(arguments: [String], message: String) throws {
        let setup = try Self.setUp()
        defer { setup.remove() }
        _ = try SQLiteStateStore(path: setup.statePath)
        let result = try CommandRunner.run("compactctl", arguments, environment: setup.environment)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        let history = try CommandRunner.run("compactctl", ["history", "--output", "json"], environment: setup.environment)
        let lines = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [Any])
        #expect(lines.isEmpty)
    }

    @Test("retry redelivers a dead letter to a receiver that now answers 2xx; status counts it")
    func retryDeadLetter() throws {
        let setup = try Self.setUp(responses: "404,404,200")
        defer { setup.remove() }
        let first = try CommandRunner.run("compactd", ["--once"], environment: setup.environment)
        #expect(first.stdout.contains("dead-lettered 2"), "\(first.stdout)")
        let status = try CommandRunner.run("compactctl", ["status", "--output", "json"], environment: setup.environment)
        // Not running: exit 3, as systemctl status; the report is printed all the same.
        #expect(status.status == 3, "\(status.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(report["daemon"] as? String == "not running")
        let channel = try #require((report["channels"] as? [[String: Any]])?.first)
        #expect(channel["dead"] as? Int == 2)
        #expect(channel["last_failure_detail"] as? String == "HTTP 404")

        let retry = try CommandRunner.run("compactctl", ["retry", "--channel", "hook"], environment: setup.environment)
        #expect(retry.status == 0, "\(retry.stderr)")
        #expect(retry.stdout.hasPrefix("2 dead-lettered deliveries queued again"))
        let second = try CommandRunner.run("compactd", ["--once"], environment: setup.environment)
        #expect(second.stdout.contains("delivered 2"), "\(second.stdout)")
        let received = RecordedRequest.load(setup.record)
        #expect(received.map(\.status) == [404, 404, 200, 200])
        // Resent under the same identities.
        #expect(Set(received.prefix(2).compactMap { $0.headers["webhook-id"] }) == Set(received.suffix(2).compactMap { $0.headers["webhook-id"] }))
    }
}

@Suite("compactctl refuses what it cannot do safely", .serialized)
struct OperatorRefusalTests {
    @Test("an ambiguous step reference is refused with the occurrences to choose from")
    func ambiguous() throws {
        let config = CommandRunner.packageRoot.appendingPathComponent("Config/compactd.toml").path
        let result = try CommandRunner.run("compactctl", ["ack", "--compact", "carson", "--cycle", "summer-reengagement", "--step", "kickoff", "--config", config])
        #expect(result.status == 1)
        #expect(result.stderr.contains("give --occurrence (one of "), "\(result.stderr)")
    }

    @Test("a state file locked by another process: a clear message after the busy timeout, nothing changed")
    func locked() throws {
        let setup = try DeadlineFixture(deadlines: [("first", 2)])
        defer { setup.remove() }
        _ = try CommandRunner.run("compactd", ["--once"], environment: setup.environment)
        // Another process holds an exclusive lock for 8 seconds.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", "import sqlite3, time, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(8)", setup.statePath]
        let pipe = Pipe()
        holder.standardOutput = pipe
        try holder.run()
        defer { kill(holder.processIdentifier, SIGKILL) }
        _ = pipe.fileHandleForReading.readData(ofLength: 7)
        let result = try CommandRunner.run("compactctl", ["ack", setup.stepKey("first")], environment: setup.environment)
        #expect(result.status == 1)
        #expect(result.stderr.contains("another process holds the database"), "\(result.stderr)")
        kill(holder.processIdentifier, SIGKILL)
        for _ in 0..<100 where holder.isRunning { usleep(10_000) }
        let history = try CommandRunner.run("compactctl", ["history", "--kind", "acknowledged", "--output", "json"], environment: setup.environment)
        let lines = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [Any])
        #expect(lines.isEmpty)
    }
}
