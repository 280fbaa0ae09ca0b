import CompactdStore
import Foundation
import Testing

/// Starting late: `ack --through DATE` marks everything due up to a date done (one history event
/// each), and `ack COMPACT/CYCLE/DATE` a whole occurrence, on a configuration with fixed dates.
@Suite("compactctl ack --through and whole occurrences", .serialized)
struct AckThroughTests {
    static func fixture() throws -> URL {
        let directory = try CommandRunner.configFolder("ack-through")
        try """
        time_zone = "UTC"
        state_path = "state.sqlite"
        [channels.log]
        type = "log"
        """.write(to: directory.appendingPathComponent("compactd.toml"), atomically: true, encoding: .utf8)
        try """
        id = "carson"
        partner = "City of Carson"
        status = "active"
        notify = ["log"]
        [[cycles]]
        id = "review"
        title = "Review"
        calendar = "2026-04-01 09:00"
        [[cycles.steps]]
        id = "kickoff"
        title = "Kickoff"
        due = "+0d"
        [[cycles.steps]]
        id = "goals"
        title = "Goals"
        due = "+14d"
        [[deadlines]]
        id = "a"
        title = "A"
        due = 2026-01-10T09:00:00
        [[deadlines]]
        id = "b"
        title = "B"
        due = 2026-02-10T23:30:00
        [[deadlines]]
        id = "c"
        title = "C"
        due = 2026-02-11T00:00:00
        """.write(to: directory.appendingPathComponent("compacts/carson.toml"), atomically: true, encoding: .utf8)
        _ = try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path)
        return directory
    }

    static func acknowledged(_ config: String) throws -> [[String: Any]] {
        let history = try CommandRunner.run("compactctl", ["history", "--kind", "acknowledged", "--output", "json", "--config", config], environment: ["COMPACTD_CONTROL_SOCKET": "/nonexistent/none.sock"])
        return try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]], "\(history.stderr)")
    }

    @Test("--through DATE: every step due up to the end of that day, each with its own event; again: none twice")
    func through() throws {
        let directory = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("compactd.toml").path
        let environment = ["COMPACTD_CONTROL_SOCKET": directory.appendingPathComponent("none.sock").path]
        let ack = try CommandRunner.run("compactctl", ["ack", "--through", "2026-02-10", "--config", config], environment: environment)
        #expect(ack.status == 0, "\(ack.stderr)")
        #expect(ack.stdout.hasPrefix("acknowledged 2 step occurrences"), "\(ack.stdout)")
        let events = try Self.acknowledged(config)
        #expect(Set(events.compactMap { $0["subject"] as? String }) == ["carson/deadline/2026-01-10/a", "carson/deadline/2026-02-10/b"], "\(events)")
        #expect(events.allSatisfy { $0["detail"] as? String == "marked done at adoption (ack --through 2026-02-10)" }, "\(events)")

        let again = try CommandRunner.run("compactctl", ["ack", "--through", "2026-04-01", "--compact", "carson", "--config", config], environment: environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.hasPrefix("acknowledged 2 step occurrences"), "c and the kickoff: \(again.stdout)")
        #expect(again.stdout.contains("(2 already acknowledged, left as they were)"), "\(again.stdout)")
        #expect(try Self.acknowledged(config).count == 4)

        let nothing = try CommandRunner.run("compactctl", ["ack", "--through", "2025-12-31", "--config", config], environment: environment)
        #expect(nothing.status == 1)
        #expect(nothing.stderr.contains("nothing to acknowledge"), "\(nothing.stderr)")
    }

    @Test("COMPACT/CYCLE/DATE acknowledges every step of that occurrence")
    func wholeOccurrence() throws {
        let directory = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("compactd.toml").path
        let environment = ["COMPACTD_CONTROL_SOCKET": directory.appendingPathComponent("none.sock").path]
        let ack = try CommandRunner.run("compactctl", ["ack", "carson/review/2026-04-01", "--note", "met with Carson city manager", "--config", config], environment: environment)
        #expect(ack.status == 0, "\(ack.stderr)")
        let events = try Self.acknowledged(config)
        #expect(Set(events.compactMap { $0["subject"] as? String }) == ["carson/review/2026-04-01/kickoff", "carson/review/2026-04-01/goals"], "\(events)")
        #expect(events.allSatisfy { $0["detail"] as? String == "met with Carson city manager" })
        let wrong = try CommandRunner.run("compactctl", ["ack", "carson/review/2026-04-02", "--config", config], environment: environment)
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("has no occurrence on 2026-04-02"), "\(wrong.stderr)")
    }

    @Test("ack takes the notice id agenda --json prints, and suggests the closest name for a typo")
    func agendaIdsAndSuggestions() throws {
        let directory = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("compactd.toml").path
        let environment = ["COMPACTD_CONTROL_SOCKET": directory.appendingPathComponent("none.sock").path]
        // 2026-01-10 is a Saturday: the default policy moves its due notice to Friday the 9th.
        let agenda = try CommandRunner.run("compactctl", ["agenda", "--from", "2026-01-09 00:00", "--days", "1", "--output", "json", "--config", config], environment: environment)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(agenda.stdout.utf8)) as? [[String: Any]], "\(agenda.stderr)")
        let id = try #require(entries.first?["id"] as? String)
        #expect(entries.first?["step_key"] as? String == "carson/deadline/2026-01-10/a")
        let ack = try CommandRunner.run("compactctl", ["ack", id, "--config", config], environment: environment)
        #expect(ack.status == 0, "\(ack.stderr)")
        #expect(try Self.acknowledged(config).compactMap { $0["subject"] as? String } == ["carson/deadline/2026-01-10/a"])
        let typo = try CommandRunner.run("compactctl", ["ack", "carson/deadline/2026-02-10/bb", "--config", config], environment: environment)
        #expect(typo.status == 1)
        #expect(typo.stderr.contains("compact carson has no deadline 'bb'; did you mean 'b'?"), "\(typo.stderr)")
        let channel = try CommandRunner.run("compactctl", ["retry", "--channel", "logg", "--config", config], environment: environment)
        #expect(channel.stderr.contains("unknown channel 'logg'; did you mean 'log'?"), "\(channel.stderr)")
    }

    @Test("agenda honours an acknowledgment: the step's notices are left out and said acknowledged; --all shows their fate")
    func agendaHonoursAcknowledgment() throws {
        let directory = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("compactd.toml").path
        let environment = ["COMPACTD_CONTROL_SOCKET": directory.appendingPathComponent("none.sock").path]
        let before = try CommandRunner.run("compactctl", ["agenda", "--from", "2026-02-01 00:00", "--days", "20", "--config", config], environment: environment)
        #expect(before.stdout.contains("carson/deadline/2026-02-10/b"), "\(before.stdout)")
        #expect(try CommandRunner.run("compactctl", ["ack", "carson/deadline/2026-02-10/b", "--by", "maria", "--config", config], environment: environment).status == 0)
        let after = try CommandRunner.run("compactctl", ["agenda", "--from", "2026-02-01 00:00", "--days", "20", "--config", config], environment: environment)
        let rows = after.stdout.split(separator: "\n").filter { $0.contains("carson/deadline/2026-02-10/b") }
        #expect(rows.count == 1 && rows.first?.hasPrefix("acknowledged: carson/deadline/2026-02-10/b by ") == true, "\(after.stdout)")
        #expect(after.stdout.contains("carson/deadline/2026-02-11/c"), "other steps stay: \(after.stdout)")
        let all = try CommandRunner.run("compactctl", ["agenda", "--all", "--output", "json", "--from", "2026-02-01 00:00", "--days", "20", "--config", config], environment: environment)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [[String: Any]], "\(all.stderr)")
        let b = entries.filter { $0["step_key"] as? String == "carson/deadline/2026-02-10/b" }
        #expect(!b.isEmpty && b.allSatisfy { ($0["fate"] as? String)?.hasPrefix("not sent: acknowledged by") == true }, "\(b)")
        #expect(entries.filter { $0["step_key"] as? String == "carson/deadline/2026-02-11/c" }.allSatisfy { $0["fate"] as? String == "will be sent" })
    }
}
