import CompactdCore
import CompactdStore
import Foundation
import Testing

/// Every command in every format it prints, on one state with known answers: a compact whose
/// deadline `first` fell due two minutes ago and was delivered and acknowledged, `second` one
/// minute ago and delivered, `third` due in two days and snoozed for three. JSON is read with
/// Foundation, CSV with Python's csv module (not ours); the two must agree row by row.
@Suite("compactctl output formats, every command", .serialized)
struct OutputFormatsTests {
    /// Python's RFC 4180 reader: the rows, header first.
    static func csvRows(_ text: String) throws -> [[String]] {
        let directory = FileManager.default.temporaryDirectory
        let file = directory.appendingPathComponent("csv-\(UUID().uuidString).csv")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let parsed = try CommandRunner.runProgram("/usr/bin/env", ["python3", "-c", "import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline='')))))", file.path])
        #expect(parsed.status == 0, "\(parsed.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [[String]])
    }

    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test("table, json and csv of agenda, status, history, snooze --list and report agree with each other and with the known state; actions print JSON; other formats are refused by name")
    func everyCommandEveryFormat() throws {
        let setup = try DeadlineFixture(deadlinesInSeconds: [("first", -120), ("second", -60), ("third", 2 * 86_400)])
        defer { setup.remove() }
        let env = setup.environment
        let first = setup.stepKey("first")
        let once = try CommandRunner.run("compactd", ["--once"], environment: env)
        #expect(once.stdout.contains("delivered 2"), "\(once.stdout) \(once.stderr)")

        // Actions, as JSON: which command, the account, the step, when.
        let ack = try CommandRunner.run("compactctl", ["ack", first, "--note", "met with Carson city manager", "-o", "json"], environment: env)
        #expect(ack.status == 0, "\(ack.stderr)")
        let ackJSON = try #require(try Self.json(ack.stdout) as? [String: Any])
        #expect(ackJSON["command"] as? String == "ack")
        #expect(ackJSON["steps"] as? [String] == [first])
        #expect((ackJSON["result"] as? String)?.contains("acknowledged") == true, "\(ackJSON)")
        #expect(ackJSON["at_utc"] as? String != nil && ackJSON["at"] as? String != nil)

        let agendaBefore = try CommandRunner.run("compactctl", ["agenda", "--days", "5", "-o", "json"], environment: env)
        let third = try #require((try Self.json(agendaBefore.stdout) as? [[String: Any]])?.first { ($0["step_key"] as? String)?.hasSuffix("/third") == true }?["step_key"] as? String, "\(agendaBefore.stdout)")
        let snooze = try CommandRunner.run("compactctl", ["snooze", third, "--for", "3d", "--note", "recess", "-o", "json"], environment: env)
        #expect(snooze.status == 0, "\(snooze.stderr)")
        #expect((try Self.json(snooze.stdout) as? [String: Any])?["command"] as? String == "snooze", "\(snooze.stdout)")
        // unsnooze and unack, and back: their JSON too.
        for (undo, redo) in [(["unsnooze", third], ["snooze", third, "--for", "3d", "--note", "recess"]), (["unack", first], ["ack", first, "--note", "met with Carson city manager"])] {
            let undone = try CommandRunner.run("compactctl", undo + ["-o", "json"], environment: env)
            #expect(undone.status == 0, "\(undone.stderr)")
            let object = try #require(try Self.json(undone.stdout) as? [String: Any], "\(undone.stdout)")
            #expect(object["command"] as? String == undo[0] && object["steps"] as? [String] == [undo[1]])
            #expect(try CommandRunner.run("compactctl", redo, environment: env).status == 0)
        }
        let retry = try CommandRunner.run("compactctl", ["retry", "--all", "-o", "json"], environment: env)
        #expect(retry.status == 0, "\(retry.stderr)")
        #expect((try Self.json(retry.stdout) as? [String: Any])?["command"] as? String == "retry", "\(retry.stdout)")
        let sendTest = try CommandRunner.run("compactctl", ["send-test", "hook", "-o", "json"], environment: env)
        #expect(sendTest.status == 0, "\(sendTest.stderr)")
        #expect(((try Self.json(sendTest.stdout) as? [String: Any])?["result"] as? String)?.contains("delivered") == true, "\(sendTest.stdout)")

        // agenda: the snoozed deadline, held to the snooze's end, a whole minute, in all three.
        let list = try #require(try Self.json(try CommandRunner.run("compactctl", ["snooze", "--list", "-o", "json"], environment: env).stdout) as? [[String: Any]])
        let until = try #require(list.first?["until_utc"] as? String)
        #expect(list.count == 1 && until.hasSuffix(":00Z"), "\(list)")
        let agendaJSON = try #require(try Self.json(try CommandRunner.run("compactctl", ["agenda", "--days", "5", "-o", "json"], environment: env).stdout) as? [[String: Any]])
        #expect(agendaJSON.map { $0["step_key"] as? String } == [third], "\(agendaJSON)")
        #expect(agendaJSON.first?["send_at_utc"] as? String == until, "agenda sends the held notice when the snooze ends")
        let agendaCSV = try Self.csvRows(try CommandRunner.run("compactctl", ["agenda", "--days", "5", "-o", "csv"], environment: env).stdout)
        #expect(agendaCSV.first == ["local_time", "utc", "step", "kind", "recipient"])
        #expect(agendaCSV.dropFirst().map { $0[2] } == [third])
        let agendaTable = try CommandRunner.run("compactctl", ["agenda", "--days", "5"], environment: env)
        #expect(agendaTable.stdout.contains(third) && agendaTable.stdout.contains("(after snooze)"), "\(agendaTable.stdout)")

        // status: the one channel, two delivered and the test notice not counted (it is not in the outbox).
        let statusJSON = try #require(try Self.json(try CommandRunner.run("compactctl", ["status", "-o", "json"], environment: env).stdout) as? [String: Any])
        let channels = try #require(statusJSON["channels"] as? [[String: Any]])
        #expect(channels.count == 1 && channels.first?["channel"] as? String == "hook" && channels.first?["delivered"] as? Int == 2, "\(statusJSON)")
        let status = try CommandRunner.run("compactctl", ["status", "-o", "csv"], environment: env)
        #expect(status.status == 3, "not running: as systemctl status")
        let statusCSV = try Self.csvRows(status.stdout)
        #expect(statusCSV.first == ["channel", "pending", "in_flight", "retrying", "dead", "delivered", "missed", "last_success", "last_failure"])
        #expect(statusCSV.count == 2 && statusCSV.last?[0] == "hook" && statusCSV.last?[5] == "2", "\(statusCSV)")

        // history: the same lines as JSON and as CSV, with the kinds this state made.
        let historyJSON = try #require(try Self.json(try CommandRunner.run("compactctl", ["history", "-o", "json"], environment: env).stdout) as? [[String: Any]])
        let historyCSV = try Self.csvRows(try CommandRunner.run("compactctl", ["history", "-o", "csv"], environment: env).stdout)
        #expect(historyCSV.first == ["time", "kind", "subject", "detail"])
        #expect(historyCSV.dropFirst().map { $0[1] } == historyJSON.map { $0["kind"] as? String ?? "?" })
        #expect(historyCSV.dropFirst().map { $0[2] } == historyJSON.map { $0["subject"] as? String ?? "?" })
        let kinds = historyJSON.compactMap { $0["kind"] as? String }
        for (kind, count) in [("enqueued", 2), ("attempt", 2), ("acknowledged", 2), ("unacknowledged", 1), ("snoozed", 2), ("unsnoozed", 1)] {
            #expect(kinds.filter { $0 == kind }.count == count, "\(kind): \(kinds)")
        }
        #expect(try CommandRunner.run("compactctl", ["history"], environment: env).stdout.contains("met with Carson city manager"))

        // snooze --list as CSV: the one snooze, with its note.
        let snoozeCSV = try Self.csvRows(try CommandRunner.run("compactctl", ["snooze", "--list", "-o", "csv"], environment: env).stdout)
        #expect(snoozeCSV.first == ["step", "until", "since", "by", "note"])
        #expect(snoozeCSV.count == 2 && snoozeCSV.last?[0] == third && snoozeCSV.last?[4] == "recess", "\(snoozeCSV)")

        // report: first done (with the note), second overdue, third snoozed, in every format.
        let reportJSON = try #require(try Self.json(try CommandRunner.run("compactctl", ["report", "-o", "json"], environment: env).stdout) as? [String: Any])
        let steps = try #require((reportJSON["compacts"] as? [[String: Any]])?.first?["steps"] as? [[String: Any]])
        let states = Dictionary(uniqueKeysWithValues: steps.compactMap { step in (step["step"] as? String).map { ($0, step["state"] as? String ?? "?") } })
        #expect(states == ["first": "done", "second": "overdue", "third": "snoozed"], "\(steps)")
        let reportCSV = try Self.csvRows(try CommandRunner.run("compactctl", ["report", "-o", "csv"], environment: env).stdout)
        let header = try #require(reportCSV.first)
        let stepColumn = try #require(header.firstIndex(of: "step")), stateColumn = try #require(header.firstIndex(of: "state")), noteColumn = try #require(header.firstIndex(of: "note"))
        #expect(Dictionary(uniqueKeysWithValues: reportCSV.dropFirst().map { ($0[stepColumn], $0[stateColumn]) }) == states)
        #expect(reportCSV.dropFirst().first { $0[stepColumn] == "first" }?[noteColumn] == "met with Carson city manager")
        let markdown = try CommandRunner.run("compactctl", ["report", "-o", "markdown"], environment: env)
        #expect(markdown.status == 0 && markdown.stdout.contains("| "), "\(markdown.stdout)")
        let text = try CommandRunner.run("compactctl", ["report", "-o", "table"], environment: env)
        #expect(text.stdout.contains("1 step done, 1 snoozed, 0 open, 1 overdue"), "\(text.stdout)")

        // A format a command does not print: refused by name, nothing printed on stdout.
        for (arguments, message) in [(["agenda", "-o", "markdown"], "agenda prints table, json or csv, not markdown"),
                                     (["ack", first, "-o", "csv"], "ack prints table or json, not csv"),
                                     (["calendar", "-o", "csv", "daily"], "calendar prints table or json, not csv"),
                                     (["history", "-o", "yaml"], "yaml")] {
            let refused = try CommandRunner.run("compactctl", arguments, environment: env)
            #expect(refused.status != 0 && refused.stdout.isEmpty, "\(arguments)")
            #expect(refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }
    }

    @Test("a cell a spreadsheet would run as a formula is prefixed; negative numbers are not")
    func csvFormulaCells() throws {
        let setup = try DeadlineFixture(deadlinesInSeconds: [("first", -120)])
        defer { setup.remove() }
        _ = try SQLiteStateStore(path: setup.statePath)
        let key = setup.stepKey("first")
        let ack = try CommandRunner.run("compactctl", ["ack", key, "--note", "=HYPERLINK(\"http://x.example\",\"click\")"], environment: setup.environment)
        #expect(ack.status == 0, "\(ack.stderr)")
        let rows = try Self.csvRows(try CommandRunner.run("compactctl", ["report", "-o", "csv"], environment: setup.environment).stdout)
        let note = try #require(rows.first?.firstIndex(of: "note"))
        #expect(rows.dropFirst().first?[note] == "'=HYPERLINK(\"http://x.example\",\"click\")", "\(rows)")
    }

    /// The agenda's CSV copies a plain cell as it is and quotes any other (`TextTable.stream`):
    /// a fate naming who acknowledged, with a comma, quotes and an accent, must still read back,
    /// through Python's csv reader, as the JSON (written by other code) gives it.
    @Test("agenda --all as CSV: plain cells as they are, a fate with a comma and quotes quoted; the same as the JSON")
    func agendaCSVFates() throws {
        let setup = try DeadlineFixture(deadlinesInSeconds: [("first", 3 * 86_400), ("second", 4 * 86_400), ("third", 5 * 86_400)])
        defer { setup.remove() }
        _ = try SQLiteStateStore(path: setup.statePath)
        // A comma, quotes and an accent; a comma alone in ASCII.
        let (by, plainBy) = ("Ana María, \"coordinator\"", "Bell, Cudahy")
        for (step, name) in [("first", by), ("second", plainBy)] {
            let ack = try CommandRunner.run("compactctl", ["ack", setup.stepKey(step), "--by", name], environment: setup.environment)
            #expect(ack.status == 0, "\(ack.stderr)")
        }
        let csv = try Self.csvRows(try CommandRunner.run("compactctl", ["agenda", "--all", "--days", "10", "-o", "csv"], environment: setup.environment).stdout)
        let json = try #require(try Self.json(try CommandRunner.run("compactctl", ["agenda", "--all", "--days", "10", "-o", "json"], environment: setup.environment).stdout) as? [[String: Any]])
        let header = try #require(csv.first)
        #expect(header == ["local_time", "utc", "step", "kind", "recipient", "fate"])
        let rows = csv.dropFirst()
        #expect(rows.allSatisfy { $0.count == header.count }, "\(csv)")
        #expect(rows.map { $0[2] } == json.map { $0["step_key"] as? String ?? "" })
        #expect(rows.map { $0[5] } == json.map { $0["fate"] as? String ?? "" })
        for name in [by, plainBy] { #expect(rows.contains { $0[5].contains("on behalf of \(name) on ") }, "\(name): \(csv)") }
        #expect(rows.contains { $0[5] == "will be sent" }, "\(csv)")
    }

    @Test("a comma, quote or '=' that a combining mark follows is still quoted or prefixed in CSV")
    func csvCombiningMarks() throws {
        let setup = try DeadlineFixture(deadlinesInSeconds: [("first", -120)])
        defer { setup.remove() }
        _ = try SQLiteStateStore(path: setup.statePath)
        // Python's csv reader (not ours) must read the note back as one cell, as written.
        let note = "=\u{301}1+1 Bell,\u{301} Cudahy \"\u{301}Maywood\""
        let ack = try CommandRunner.run("compactctl", ["ack", setup.stepKey("first"), "--note", note], environment: setup.environment)
        #expect(ack.status == 0, "\(ack.stderr)")
        let rows = try Self.csvRows(try CommandRunner.run("compactctl", ["report", "-o", "csv"], environment: setup.environment).stdout)
        let column = try #require(rows.first?.firstIndex(of: "note"))
        #expect(rows.count == 2 && rows[1].count == rows[0].count, "\(rows)")
        #expect(rows.dropFirst().first?[column] == "'" + note, "\(rows)")
    }
}
