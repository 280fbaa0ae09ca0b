import CompactdConfig
import CompactdCore
import CompactdStore
import CompactdTestSupport
import Foundation
import Testing

@Suite("compactctl report and export ics", .serialized)
struct ReportAndExportTests {
    /// Two compacts (one active with a long non-ASCII name, one draft) and a goal of three.
    /// The active one has a monthly cycle starting on the 1st at 00:00: its first step is due at
    /// the start and so always overdue by now; its second is due 40 days later, always open.
    static func setUp() throws -> (URL, String) {
        let directory = try CommandRunner.configFolder("report")
        try """
        time_zone = "America/Los_Angeles"
        state_path = "state.sqlite"
        [[goals]]
        id = "three"
        title = "Three compacts"
        minimum_active = 3
        by = 2099-06-30
        [channels.log]
        type = "log"
        """.write(to: directory.appendingPathComponent("compactd.toml"), atomically: true, encoding: .utf8)
        try """
        id = "ninos"
        partner = "Ciudad de los Niños Héroes, señora Rocío Rivas y compañía — Distrito Escolar Unificado"
        status = "active"
        notify = ["log"]
        [[commitments]]
        id = "parks"
        title = "Parques comunitarios; seguridad, y más"
        [[cycles]]
        id = "monthly"
        title = "Monthly check-in"
        calendar = "*-*-01 00:00"
        [[cycles.steps]]
        id = "start"
        title = "Open the check-in"
        due = "0"
        [[cycles.steps]]
        id = "follow-up"
        title = "Follow up"
        due = "+40d"
        """.write(to: directory.appendingPathComponent("compacts/ninos.toml"), atomically: true, encoding: .utf8)
        try "id = \"draft-city\"\npartner = \"Draft City\"\nstatus = \"draft\"\nnotify = [\"log\"]\n".write(to: directory.appendingPathComponent("compacts/draft.toml"), atomically: true, encoding: .utf8)
        return (directory, directory.appendingPathComponent("compactd.toml").path)
    }

    @Test("report figures come from the configuration and the acknowledgments")
    func report() async throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let before = try CommandRunner.run("compactctl", ["report", "--output", "json", "--config", config])
        #expect(before.status == 0, "\(before.stderr)")
        let r1 = try #require(try JSONSerialization.jsonObject(with: Data(before.stdout.utf8)) as? [String: Any])
        #expect(r1["active_compacts"] as? Int == 1)
        let goal = try #require((r1["goals"] as? [[String: Any]])?.first)
        #expect(goal["active"] as? Int == 1 && goal["minimum"] as? Int == 3 && goal["met"] as? Bool == false)
        #expect(r1["steps_overdue"] as? Int == 1 && r1["steps_open"] as? Int == 1 && r1["steps_done"] as? Int == 0)

        // Acknowledge this month's first step through the state, as `compactctl ack` would.
        let la = try ZoneInfo.named("America/Los_Angeles")
        let today = la.localDateTime(at: Instant.now).date
        let store = try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path)
        try await store.acknowledge(StepAcknowledgment(stepKey: "ninos/monthly/\(LocalDate(year: today.year, month: today.month, day: 1))/start", at: Instant.now), compactID: "ninos", source: "test")
        let after = try CommandRunner.run("compactctl", ["report", "--output", "json", "--config", config])
        let r2 = try #require(try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any])
        #expect(r2["steps_overdue"] as? Int == 0 && r2["steps_open"] as? Int == 1 && r2["steps_done"] as? Int == 1)

        let text = try CommandRunner.run("compactctl", ["report", "--config", config])
        #expect(text.stdout.hasPrefix("Education Compacts, "))
        #expect(text.stdout.contains("1 active compact of 2. Goal \"Three compacts\": 1 of 3 — not met; due 2099-06-30, in "), "\(text.stdout)")
        #expect(text.stdout.contains("1 step done, 0 snoozed, 1 open, 0 overdue."), "\(text.stdout)")
        let csv = try CommandRunner.run("compactctl", ["report", "--output", "csv", "--config", config])
        let rows = csv.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows.first == "compact,partner,status,cycle,occurrence,step,due,state,days,last_contact,acknowledged_by,note")
        #expect(rows.count == 3)
        #expect(rows[1].hasPrefix("ninos,\"Ciudad de los Niños Héroes, señora"))
    }

    /// `report -o json` is written a row at a time (`PrettyJSONWriter`), no longer encoded whole
    /// by JSONEncoder; scripts that compared its text keep working only if the bytes are
    /// JSONEncoder's. The oracle: the output read by JSONDecoder and encoded again by JSONEncoder
    /// with `JSONOutput`'s settings. With a note holding every kind of character JSON escapes or
    /// carries as it is, a snooze, and a draft compact with no commitment and no step (empty
    /// arrays, which Foundation writes around a blank line).
    @Test("report -o json is laid out byte for byte as JSONEncoder lays out the same values, and is JSONEncoder's encoding of the whole report model")
    func reportJSONIsFoundationsLayout() async throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["COMPACTD_CONTROL_SOCKET": directory.appendingPathComponent("none.sock").path]
        _ = try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path)
        let la = try ZoneInfo.named("America/Los_Angeles")
        let today = la.localDateTime(at: Instant.now).date
        let occurrence = "ninos/monthly/\(LocalDate(year: today.year, month: today.month, day: 1))"
        let note = "met \"them\" at C:\\parks/north\tthen\nnext; bell\u{07} bs\u{08} ff\u{0C} cr\r unit\u{1F} del\u{7F} é — 🚸"
        let ack = try CommandRunner.run("compactctl", ["ack", "\(occurrence)/start", "--by", "Ana \"Q\" / Pérez", "--note", note, "--config", config], environment: environment)
        #expect(ack.status == 0, "\(ack.stderr)")
        let snooze = try CommandRunner.run("compactctl", ["snooze", "\(occurrence)/follow-up", "--for", "3d", "--config", config], environment: environment)
        #expect(snooze.status == 0, "\(snooze.stderr)")

        let written = try CommandRunner.run("compactctl", ["report", "-o", "json", "--config", config])
        #expect(written.status == 0, "\(written.stderr)")
        let values = try JSONDecoder().decode(ReportJSONValue.self, from: Data(written.stdout.utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let expected = String(decoding: try encoder.encode(values), as: UTF8.self) + "\n"
        #expect(written.stdout == expected)
        if written.stdout != expected {
            let mismatch = zip(written.stdout.utf8, expected.utf8).prefix { $0 == $1 }.count
            Issue.record("first difference at byte \(mismatch): \(String(decoding: Array(written.stdout.utf8.dropFirst(max(0, mismatch - 40)).prefix(80)), as: UTF8.self))")
        }
        // The values themselves: the note as given, the draft's empty arrays, every compact.
        guard case .object(let report) = values, case .array(let compacts)? = report["compacts"] else {
            Issue.record("no compacts in \(written.stdout)")
            return
        }
        #expect(compacts.count == 2)
        let notes = compacts.flatMap { compact -> [String] in
            guard case .object(let row) = compact, case .array(let steps)? = row["steps"] else { return [] }
            return steps.compactMap { step in if case .object(let s) = step, case .string(let n)? = s["note"] { n } else { nil } }
        }
        #expect(notes == [note])
        #expect(written.stdout.contains("\"commitments\" : [\n\n      ],"))
        #expect(written.stdout.contains("\"state\" : \"snoozed\""))

        // The layout check alone cannot see a field the writer leaves out (the output's own
        // values are encoded again): the model itself, made here from the same configuration
        // and state and encoded whole by JSONEncoder as `report -o json` did before it was
        // written a row at a time, is the output, but for the time it was generated.
        let c = try ConfigurationLoader().load(path: config).configuration
        let store = try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path)
        let model = PartnershipReport(configuration: c, state: try await store.plannerState(), lastContact: try await store.lastContactByCompact(), now: Instant.now)
        encoder.keyEncodingStrategy = .convertToSnakeCase
        func withoutGenerated(_ text: String) -> String {
            text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("  \"generated") }.joined(separator: "\n")
        }
        #expect(withoutGenerated(written.stdout) == withoutGenerated(String(decoding: try encoder.encode(model), as: UTF8.self) + "\n"))
    }

    @Test("export ics parses with the icalendar package; long non-ASCII text folds at 75 octets")
    func exportICS() throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("compacts.ics").path
        let result = try CommandRunner.run("compactctl", ["export", "ics", "--days", "70", "--output", file, "--config", config])
        #expect(result.status == 0, "\(result.stderr)")
        let parsed = try ServerProcess.runScript("parse_ics.py", [file])
        #expect(parsed.status == 0, "\(parsed.output)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(parsed.output.utf8)) as? [String: Any])
        #expect((object["longest_line_octets"] as? Int ?? 99) <= 75)
        #expect(object["all_crlf"] as? Bool == true)
        let events = try #require(object["events"] as? [[String: String]])
        #expect(events.count >= 3)
        #expect(Set(events.map { $0["uid"] ?? "" }).count == events.count)
        let step = try #require(events.first { $0["uid"]?.contains("/follow-up@compactd") == true })
        #expect(step["summary"] == "Ciudad de los Niños Héroes, señora Rocío Rivas y compañía — Distrito Escolar Unificado: Follow up (due)")
        #expect(step["description"]?.contains("Parques comunitarios; seguridad, y más") == true)
        #expect(step["start"]?.hasSuffix("+00:00") == true)
        // Stable: a second export gives the same UIDs.
        let again = try CommandRunner.run("compactctl", ["export", "ics", "--days", "70", "--config", config])
        #expect(events.allSatisfy { again.stdout.replacingOccurrences(of: "\r\n ", with: "").contains("UID:\($0["uid"]!)") })

        // An acknowledged step is shown done, not due.
        _ = try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path)
        let key = String(try #require(step["uid"]).dropLast("@compactd".count))
        let ack = try CommandRunner.run("compactctl", ["ack", key, "--by", "maria", "--config", config], environment: ["COMPACTD_CONTROL_SOCKET": directory.appendingPathComponent("none.sock").path])
        #expect(ack.status == 0, "\(ack.stderr)")
        #expect(try CommandRunner.run("compactctl", ["export", "ics", "--days", "70", "--output", file, "--config", config]).status == 0)
        let done = try #require(try JSONSerialization.jsonObject(with: Data(try ServerProcess.runScript("parse_ics.py", [file]).output.utf8)) as? [String: Any])
        let doneStep = try #require((done["events"] as? [[String: String]])?.first { $0["uid"] == step["uid"] })
        #expect(doneStep["summary"]?.hasSuffix("Follow up (done, \(String(cString: getpwuid(geteuid())!.pointee.pw_name)) on behalf of maria)") == true, "\(doneStep)")
    }

    @Test("report: deadlines, who acknowledged with the note, snoozes, last contact, the goal counted on its date, --compact, markdown")
    func reportSaysWhoDidWhat() throws {
        let directory = try CommandRunner.configFolder("report")
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
        time_zone = "UTC"
        state_path = "state.sqlite"
        [policy]
        shift = "keep"
        [[goals]]
        id = "two"
        title = "Two compacts"
        minimum_active = 2
        by = 2026-06-30
        [channels.log]
        type = "log"
        """.write(to: directory.appendingPathComponent("compactd.toml"), atomically: true, encoding: .utf8)
        func day(_ offset: Int64) -> String {
            let local = ZoneInfo.utc.localDateTime(at: Instant.now.adding(seconds: offset * 86_400))
            return "\(local.date)T12:00:00"
        }
        try """
        id = "carson"
        partner = "City of Carson"
        status = "active"
        approved = 2024-06-04
        notify = ["log"]
        [[deadlines]]
        id = "late"
        title = "Late report"
        due = \(day(-2))
        [[deadlines]]
        id = "met"
        title = "Meeting"
        due = \(day(-1))
        [[deadlines]]
        id = "paused"
        title = "Paused report"
        due = \(day(3))
        [[deadlines]]
        id = "next"
        title = "Next report"
        due = \(day(10))
        """.write(to: directory.appendingPathComponent("compacts/carson.toml"), atomically: true, encoding: .utf8)
        // Approved after the goal's date: it does not count toward it.
        try "id = \"bell\"\npartner = \"City of Bell\"\nstatus = \"active\"\napproved = 2026-09-01\nnotify = [\"log\"]\n".write(to: directory.appendingPathComponent("compacts/bell.toml"), atomically: true, encoding: .utf8)
        _ = try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path)
        let config = directory.appendingPathComponent("compactd.toml").path
        let environment = ["COMPACTD_CONTROL_SOCKET": directory.appendingPathComponent("none.sock").path]
        let met = "carson/deadline/\(day(-1).prefix(10))/met", paused = "carson/deadline/\(day(3).prefix(10))/paused"
        #expect(try CommandRunner.run("compactctl", ["ack", met, "--by", "maria", "--note", "met with Carson city manager", "--config", config], environment: environment).status == 0)
        #expect(try CommandRunner.run("compactctl", ["snooze", paused, "--for", "2d", "--config", config], environment: environment).status == 0)

        let text = try CommandRunner.run("compactctl", ["report", "--config", config])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("Goal \"Two compacts\": 1 of 2 — not met; due 2026-06-30, "), "\(text.stdout)")
        #expect(text.stdout.contains("on behalf of maria on ") && text.stdout.contains(": \"met with Carson city manager\""), "\(text.stdout)")
        #expect(text.stdout.contains("- Late report: overdue by 2 days"), "\(text.stdout)")
        #expect(text.stdout.contains("- Paused report: snoozed until "), "\(text.stdout)")
        #expect(text.stdout.contains("- Next report: due in 10 days"), "\(text.stdout)")
        let carsonLine = text.stdout.split(separator: "\n").first { $0.hasPrefix("City of Carson") } ?? ""
        #expect(!carsonLine.contains("none recorded"), "an acknowledgment with a note is contact: \(carsonLine)")
        let bellLine = text.stdout.split(separator: "\n").first { $0.hasPrefix("City of Bell") } ?? ""
        #expect(bellLine.contains("last contact none recorded"), "\(bellLine)")

        let only = try CommandRunner.run("compactctl", ["report", "--compact", "bell", "--config", config])
        #expect(only.stdout.contains("City of Bell") && !only.stdout.contains("City of Carson"), "\(only.stdout)")
        // One convention for times in every JSON output: FIELD in RFC 3339 with the zone's offset,
        // FIELD_utc the same moment in UTC.
        var pairs = 0
        for arguments in [["report", "--output", "json"], ["history", "--output", "json"], ["snooze", "--list", "--output", "json"], ["agenda", "--output", "json", "--days", "20"], ["status", "--output", "json"]] {
            let output = try CommandRunner.run("compactctl", arguments + ["--config", config], environment: environment)
            let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8))
            func walk(_ value: Any) {
                if let array = value as? [Any] { array.forEach(walk) }
                guard let dictionary = value as? [String: Any] else { return }
                for (key, value) in dictionary {
                    walk(value)
                    guard key.hasSuffix("_utc"), let utc = value as? String else { continue }
                    pairs += 1
                    let local = dictionary[String(key.dropLast(4))] as? String
                    #expect(utc.hasSuffix("Z"), "\(arguments) \(key)=\(utc)")
                    #expect(local.flatMap { TimestampFormat.parse($0, zone: .utc) } == TimestampFormat.parse(utc, zone: .utc), "\(arguments) \(key): \(local ?? "missing") vs \(utc)")
                }
            }
            walk(object)
        }
        #expect(pairs >= 8, "\(pairs) time fields checked")
        let markdown = try CommandRunner.run("compactctl", ["report", "--output", "markdown", "--config", config])
        #expect(markdown.stdout.hasPrefix("# Education Compacts, "), "\(markdown.stdout)")
        #expect(markdown.stdout.contains("## City of Carson (carson)"))
        #expect(markdown.stdout.contains("| Deadline: Late report | "), "\(markdown.stdout)")
    }
}

/// Any JSON value, read by JSONDecoder and written by JSONEncoder as it was read: the oracle of
/// the report's layout. A number is an integer (the report has no other); true and false are
/// tried before numbers.
private enum ReportJSONValue: Codable {
    case object([String: ReportJSONValue])
    case array([ReportJSONValue])
    case string(String)
    case integer(Int)
    case boolean(Bool)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = .boolean(flag)
        } else if let number = try? container.decode(Int.self) {
            self = .integer(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let elements = try? container.decode([ReportJSONValue].self) {
            self = .array(elements)
        } else {
            self = .object(try container.decode([String: ReportJSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .object(let members): try container.encode(members)
        case .array(let elements): try container.encode(elements)
        case .string(let text): try container.encode(text)
        case .integer(let number): try container.encode(number)
        case .boolean(let flag): try container.encode(flag)
        }
    }
}
