import CompactdCore
import CompactdStore
import CompactdTestSupport
import Foundation
import Testing

/// Snoozes as amtool's silences: set with --until or --for, listed, ended early; an
/// acknowledged step cannot be snoozed.
@Suite("compactctl snooze, snooze --list, unsnooze", .serialized)
struct SnoozeTests {
    @Test("--for 14d lists with who, until and note; unsnooze ends it early and the held notice goes out at once")
    func snoozeListUnsnooze() throws {
        let setup = try DeadlineFixture(deadlines: [("first", 2)])
        defer { setup.remove() }
        _ = try SQLiteStateStore(path: setup.statePath)
        let key = setup.stepKey("first")
        let snooze = try CommandRunner.run("compactctl", ["snooze", key, "--for", "14d", "--by", "maria", "--note", "city council recess"], environment: setup.environment)
        #expect(snooze.status == 0, "\(snooze.stderr)")

        let list = try CommandRunner.run("compactctl", ["snooze", "--list", "--output", "json"], environment: setup.environment)
        #expect(list.status == 0, "\(list.stderr)")
        let lines = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let line = try #require(lines.first, "\(list.stdout)")
        #expect(lines.count == 1)
        #expect(line["step"] as? String == key)
        #expect((line["by"] as? String)?.hasSuffix("on behalf of maria") == true, "\(line)")
        #expect(line["note"] as? String == "city council recess")
        // 14 days on in UTC (the fixture's zone), within the minute the commands took.
        let untilText = try #require(line["until_utc"] as? String)
        #expect((line["until"] as? String).flatMap { TimestampFormat.parse($0, zone: .utc) }.map(\.rfc3339UTC) == untilText, "local and UTC name one moment: \(line)")
        let until = try #require(TimestampFormat.parse(untilText, zone: .utc))
        let seconds = until.secondsSinceEpoch - Instant.now.secondsSinceEpoch
        #expect(seconds > 14 * 86_400 - 120 && seconds <= 14 * 86_400 + 60, "\(seconds)")
        // Ends on a whole minute: what every listing shows is when the daemon sends.
        #expect(until.microsecondsSinceEpoch % 60_000_000 == 0, "\(untilText)")

        // Held while snoozed.
        let held = try CommandRunner.run("compactd", ["--once"], environment: setup.environment)
        #expect(held.status == 0, "\(held.stderr)")
        #expect(RecordedRequest.load(setup.record).isEmpty, "sent while snoozed")

        let unsnooze = try CommandRunner.run("compactctl", ["unsnooze", key], environment: setup.environment)
        #expect(unsnooze.status == 0, "\(unsnooze.stderr)")
        let again = try CommandRunner.run("compactctl", ["unsnooze", key], environment: setup.environment)
        #expect(again.status == 1)
        #expect(again.stderr.contains("is not snoozed"), "\(again.stderr)")
        let empty = try CommandRunner.run("compactctl", ["snooze", "--list"], environment: setup.environment)
        #expect(empty.stdout.contains("no active snoozes"), "\(empty.stdout)")

        // Due at once, not at the snooze's old end.
        let sent = try CommandRunner.run("compactd", ["--once"], environment: setup.environment)
        #expect(sent.stdout.contains("delivered 1"), "\(sent.stdout)")
        #expect(RecordedRequest.load(setup.record).count == 1)

        let history = try CommandRunner.run("compactctl", ["history", "--kind", "snoozed,unsnoozed", "--output", "json"], environment: setup.environment)
        let events = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        #expect(events.map { $0["kind"] as? String } == ["snoozed", "unsnoozed"], "\(events)")
        // --since in systemd's relative syntax: the last hour has both, from tomorrow on nothing.
        let recent = try CommandRunner.run("compactctl", ["history", "--kind", "snoozed,unsnoozed", "--since=-1h", "--output", "json"], environment: setup.environment)
        #expect((try JSONSerialization.jsonObject(with: Data(recent.stdout.utf8)) as? [Any])?.count == 2, "\(recent.stdout)\(recent.stderr)")
        let future = try CommandRunner.run("compactctl", ["history", "--kind", "snoozed,unsnoozed", "--since", "tomorrow", "--output", "json"], environment: setup.environment)
        #expect((try JSONSerialization.jsonObject(with: Data(future.stdout.utf8)) as? [Any])?.isEmpty == true, "\(future.stdout)\(future.stderr)")
    }

    @Test("an acknowledged step cannot be snoozed: a clear refusal, nothing recorded")
    func acknowledgedRefused() throws {
        let setup = try DeadlineFixture(deadlines: [("first", 2)])
        defer { setup.remove() }
        _ = try SQLiteStateStore(path: setup.statePath)
        let key = setup.stepKey("first")
        #expect(try CommandRunner.run("compactctl", ["ack", key], environment: setup.environment).status == 0)
        let snooze = try CommandRunner.run("compactctl", ["snooze", key, "--until", "2099-01-01 09:00"], environment: setup.environment)
        #expect(snooze.status == 1)
        #expect(snooze.stderr.contains("\(key) is acknowledged"), "\(snooze.stderr)")
        let list = try CommandRunner.run("compactctl", ["snooze", "--list", "--output", "json"], environment: setup.environment)
        let lines = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [Any], "\(list.stdout)")
        #expect(lines.isEmpty, "\(list.stdout)")
    }

    @Test("the end must be given once: --until or --for", arguments: [[String](), ["--until", "2099-01-01", "--for", "1d"]])
    func endRequired(extra: [String]) throws {
        let setup = try DeadlineFixture(deadlines: [("first", 2)])
        defer { setup.remove() }
        let result = try CommandRunner.run("compactctl", ["snooze", setup.stepKey("first")] + extra, environment: setup.environment)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--until TIME or --for SPAN"), "\(result.stderr)")
    }
}

/// `check`'s "Next notice" is the projection's: an acknowledged step's notice is not next.
@Suite("compactctl check honours the state")
struct CheckNextNoticeTests {
    @Test("after ack of the step due first, check names the next step's notice")
    func nextNoticeSkipsAcknowledged() throws {
        let setup = try DeadlineFixture(deadlinesInSeconds: [("soon", 600), ("later", 3600)])
        defer { setup.remove() }
        _ = try SQLiteStateStore(path: setup.statePath)
        let before = try CommandRunner.run("compactctl", ["check"], environment: setup.environment)
        #expect(before.stdout.contains("/soon to hook."), "\(before.stdout)")
        let due = ZoneInfo.utc.localDateTime(at: Instant.now.adding(seconds: 600)).date
        #expect(try CommandRunner.run("compactctl", ["ack", "carson/deadline/\(due)/soon"], environment: setup.environment).status == 0)
        let after = try CommandRunner.run("compactctl", ["check"], environment: setup.environment)
        #expect(after.stdout.contains("/later to hook.") && !after.stdout.contains("/soon to hook."), "\(after.stdout)")
    }
}
