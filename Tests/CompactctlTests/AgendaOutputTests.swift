import CompactdCore
import CompactdTestSupport
import Foundation
import Testing

/// `agenda -o json` writes each notice from runs of bytes kept per step occurrence, kind,
/// recipient and time (`AgendaJSONFormatter`); its table holds rows as numbers naming distinct
/// cells (`InternedTable`); its CSV quotes each distinct cell once. Read back independently,
/// each must say what the configuration says.
@Suite("agenda output")
struct AgendaOutputTests {
    /// Text that JSON must escape or carry as it is: quotes, a backslash, a slash, accents and
    /// an emoji (line breaks and control characters the configuration refuses).
    static let partner = "Ciudad de \"Peñasco\" \\ Norte 🏫 /ok"
    static let title = "Revisar el \"pacto\" (año 2027) \\ fin\\"

    /// Two compacts, one with the awkward text, each with two deadlines (10 and 40 days on) to
    /// the log and by email to its liaison.
    struct Setup {
        var directory: URL
        var config: String
        var environment: [String: String]
    }

    /// A TOML basic string: the texts hold quotes and backslashes, nothing else to escape.
    static func toml(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func setUp() throws -> Setup {
        let directory = try CommandRunner.configFolder("agenda-json")
        let zone = try ZoneInfo.named("America/Los_Angeles")
        func day(_ offset: Int64) -> String { "\(zone.localDateTime(at: Instant.now.adding(seconds: offset * 86_400)).date)T12:00:00" }
        try """
        time_zone = "America/Los_Angeles"
        state_path = "state.sqlite"
        [policy]
        reminders = ["7d", "1d", "0"]
        overdue_every = "1d"
        overdue_limit = 2
        shift = "keep"
        [channels.log]
        type = "log"
        [channels.mail]
        type = "email"
        server = "smtp://127.0.0.1:1"
        from = "compacts@district.example.org"
        """.write(to: directory.appendingPathComponent("compactd.toml"), atomically: true, encoding: .utf8)
        for (id, partner) in [("penasco", AgendaOutputTests.partner), ("plain", "City of Plain")] {
            try """
            id = "\(id)"
            partner = \(Self.toml(partner))
            status = "active"
            notify = ["log", "mail"]
            [[contacts]]
            id = "\(id)-liaison"
            name = "Liaison"
            email = "liaison@\(id).example.org"
            [[deadlines]]
            id = "report"
            title = \(Self.toml(AgendaOutputTests.title))
            due = \(day(10))
            [[deadlines]]
            id = "second"
            title = "Second"
            due = \(day(40))
            """.write(to: directory.appendingPathComponent("compacts/\(id).toml"), atomically: true, encoding: .utf8)
        }
        let environment = ["COMPACTD_CONTROL_SOCKET": directory.appendingPathComponent("none.sock").path]
        let config = directory.appendingPathComponent("compactd.toml").path
        return Setup(directory: directory, config: config, environment: environment)
    }

    @Test("every field read back equals the configuration's text, escapes included; ids are step key, kind and recipient; keys sorted")
    func fieldsRoundTrip() throws {
        let setup = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let (config, environment) = (setup.config, setup.environment)
        let json = try CommandRunner.run("compactctl", ["agenda", "--days", "60", "-o", "json", "--config", config], environment: environment)
        try #require(json.status == 0, "\(json.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        // Per compact: 2 deadlines × (3 reminders + 2 overdue) × 2 recipients (log; mail to the liaison).
        #expect(rows.count == 2 * 2 * 5 * 2, "\(rows.count)")
        var contacts = 0
        for row in rows {
            let compact = try #require(row["compact"] as? String)
            let step = try #require(row["step"] as? String)
            #expect(row["partner"] as? String == (compact == "penasco" ? AgendaOutputTests.partner : "City of Plain"), "\(row)")
            #expect(row["step_title"] as? String == (step == "report" ? AgendaOutputTests.title : "Second"), "\(row)")
            #expect(row["cycle"] as? String == "deadline")
            let occurrence = try #require(row["occurrence"] as? String)
            let stepKey = "\(compact)/deadline/\(occurrence)/\(step)"
            #expect(row["step_key"] as? String == stepKey)
            let channel = try #require(row["channel"] as? String)
            let contact = row["contact"] as? String
            if channel == "mail" {
                #expect(contact == "\(compact)-liaison")
                contacts += 1
            } else {
                #expect(contact == nil && row.keys.contains("contact") == false)
            }
            let recipient = contact.map { "\(channel):\($0)" } ?? channel
            let id = try #require(row["id"] as? String)
            #expect(id.hasPrefix(stepKey + "/") && id.hasSuffix("/" + recipient), "\(id)")
            for key in ["due_at", "due_at_utc", "send_at", "send_at_utc", "kind", "label"] { #expect(row[key] is String, "\(key): \(row)") }
            #expect(row.count == (contact == nil ? 15 : 16), "\(row.keys.sorted())")
        }
        #expect(contacts == rows.count / 2)
        // Keys sorted, as every JSON output of compactctl: the order they appear in each line.
        for line in json.stdout.split(separator: "\n") where line.hasPrefix("{") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.trimmingCharacters(in: CharacterSet(charactersIn: ",")).utf8)) as? [String: Any])
            let positions = object.keys.map { key in (key, line.range(of: "\"\(key)\":")!.lowerBound) }
            #expect(positions.sorted { $0.1 < $1.1 }.map(\.0) == object.keys.sorted(), "\(line)")
        }
        // The same notices, in the same order, as the CSV (written by another path).
        let csv = try CommandRunner.run("compactctl", ["agenda", "--days", "60", "-o", "csv", "--config", config], environment: environment)
        let csvRows = try OutputFormatsTests.csvRows(csv.stdout)
        let header = try #require(csvRows.first)
        let (stepColumn, recipientColumn) = (try #require(header.firstIndex(of: "step")), try #require(header.firstIndex(of: "recipient")))
        let listed = rows.map { row in
            let channel = row["channel"] as? String ?? ""
            return "\(row["step_key"] as? String ?? "") \((row["contact"] as? String).map { "\(channel):\($0)" } ?? channel)"
        }
        #expect(listed == csvRows.dropFirst().map { "\($0[stepColumn]) \($0[recipientColumn])" })
    }

    /// `--compact` plans that compact alone (at 100,000 compacts, filtering every compact's
    /// notices took 3.7 s and 304 MiB for one compact's year, 18.5 s and 1.8 GiB with --all):
    /// what it lists must be, in order and field for field, that compact's part of the whole
    /// agenda, upcoming, with --all's fates and from a given time, in JSON and CSV.
    @Test("agenda --compact is that compact's part of every compact's agenda", arguments: [[], ["--all"], ["--from", "+3d"]])
    func oneCompactIsItsPartOfAll(options: [String]) throws {
        let setup = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        func agenda(_ format: String, _ extra: [String]) throws -> String {
            let result = try CommandRunner.run("compactctl", ["agenda", "--days", "60", "-o", format, "--config", setup.config] + options + extra, environment: setup.environment)
            try #require(result.status == 0, "\(result.stderr)")
            return result.stdout
        }
        let all = try #require(try JSONSerialization.jsonObject(with: Data(try agenda("json", []).utf8)) as? [[String: Any]])
        let allCSV = try OutputFormatsTests.csvRows(try agenda("csv", []))
        let stepColumn = try #require(allCSV.first?.firstIndex(of: "step"))
        for compact in ["penasco", "plain"] {
            let one = try #require(try JSONSerialization.jsonObject(with: Data(try agenda("json", ["--compact", compact]).utf8)) as? [[String: Any]])
            let expected = all.filter { $0["compact"] as? String == compact }
            #expect(!expected.isEmpty)
            #expect(one.count == expected.count, "\(compact): \(one.count) notices, expected \(expected.count)")
            for (got, wanted) in zip(one, expected) where !NSDictionary(dictionary: got).isEqual(to: wanted) {
                Issue.record("\(compact): \(got), expected \(wanted)")
                break
            }
            let oneCSV = try OutputFormatsTests.csvRows(try agenda("csv", ["--compact", compact]))
            #expect(oneCSV.first == allCSV.first)
            #expect(Array(oneCSV.dropFirst()) == allCSV.dropFirst().filter { $0[stepColumn].hasPrefix(compact + "/") }, "\(compact)")
        }
    }

    /// Text of `length` characters with one that JSON escapes, or one it carries as it is, at
    /// a place that moves with `n`: the writer copies eight bytes at a time and checks each
    /// word as it goes, the last word overlapping the one before it.
    static func awkward(_ n: Int, length: Int) -> String {
        let special = ["\"", "\\", "é", "/"][(n / length) % 4]
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        return String((0..<length).map { $0 == n % length ? Character(special) : letters[($0 + n) % 26] })
    }

    /// Partners are kept in slots named by a hash of the compact's id, checked by the id: with
    /// 2,500 compacts many share a slot, and each notice must still carry its own compact's
    /// partner; each partner and title, of 1 to 24 characters, escaped wherever its awkward
    /// character falls.
    @Test("2,500 compacts: each notice carries its own compact's partner and title, escaped wherever the character to escape falls")
    func manyPartners() throws {
        let directory = try CommandRunner.configFolder("agenda-partners")
        defer { try? FileManager.default.removeItem(at: directory) }
        let zone = try ZoneInfo.named("America/Los_Angeles")
        let due = "\(zone.localDateTime(at: Instant.now.adding(seconds: 5 * 86_400)).date)T12:00:00"
        try """
        time_zone = "America/Los_Angeles"
        state_path = "state.sqlite"
        [policy]
        reminders = ["0"]
        shift = "keep"
        [channels.log]
        type = "log"
        """.write(to: directory.appendingPathComponent("compactd.toml"), atomically: true, encoding: .utf8)
        var partners: [String: String] = [:]
        var titles: [String: String] = [:]
        for i in 0..<2_500 {
            let id = "c\(i)"
            partners[id] = Self.awkward(i, length: 1 + i % 24)
            titles[id] = Self.awkward(i * 7 + 3, length: 1 + (i / 24) % 24)
            try """
            id = "\(id)"
            partner = \(Self.toml(partners[id]!))
            status = "active"
            notify = ["log"]
            [[deadlines]]
            id = "report"
            title = \(Self.toml(titles[id]!))
            due = \(due)
            """.write(to: directory.appendingPathComponent("compacts/\(id).toml"), atomically: true, encoding: .utf8)
        }
        let config = directory.appendingPathComponent("compactd.toml").path
        let json = try CommandRunner.run("compactctl", ["agenda", "--days", "6", "-o", "json", "--config", config],
                                         environment: ["COMPACTD_CONTROL_SOCKET": directory.appendingPathComponent("none.sock").path])
        try #require(json.status == 0, "\(json.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 2_500)
        var seen = Set<String>()
        for row in rows {
            let compact = try #require(row["compact"] as? String)
            seen.insert(compact)
            #expect(row["partner"] as? String == partners[compact], "\(compact): \(row)")
            #expect(row["step_title"] as? String == titles[compact], "\(compact): \(row)")
        }
        #expect(seen.count == 2_500)
    }

    @Test("the table: columns as wide as their widest cell, two spaces between, the same rows as the CSV")
    func tableEqualsCSV() throws {
        let setup = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let table = try CommandRunner.run("compactctl", ["agenda", "--days", "60", "--config", setup.config], environment: setup.environment)
        try #require(table.status == 0, "\(table.stderr)")
        let csv = try CommandRunner.run("compactctl", ["agenda", "--days", "60", "-o", "csv", "--config", setup.config], environment: setup.environment)
        let csvRows = try OutputFormatsTests.csvRows(csv.stdout).dropFirst().map { $0 }
        var lines = table.stdout.split(separator: "\n").map(String.init)
        let header = lines.removeFirst()
        #expect(lines.last == "\(csvRows.count) notices in 60 days.", "\(table.stdout)")
        let rows = lines.prefix(csvRows.count).map(Array.init)
        let starts = ["LOCAL TIME", "UTC", "STEP", "KIND", "RECIPIENT"].map { header.distance(from: header.startIndex, to: header.range(of: $0)!.lowerBound) }
        let cells = rows.map { row in
            starts.indices.map { i in
                String(row[starts[i]..<(i + 1 < starts.count ? starts[i + 1] : row.count)]).trimmingCharacters(in: .whitespaces)
            }
        }
        #expect(cells == csvRows, "\(table.stdout)")
        // Each column but the last as wide as its widest cell (or its header), then two spaces.
        let headers = ["LOCAL TIME", "UTC", "STEP", "KIND"]
        for i in 0..<4 {
            let widest = max(headers[i].count, cells.map { $0[i].count }.max() ?? 0)
            #expect(starts[i + 1] - starts[i] == widest + 2, "column \(headers[i])")
        }
        // The recipients differ in width ("log" and "mail:…"), so padding was needed.
        #expect(Set(cells.map { $0[4].count }).count > 1)
    }

    /// A full disk (or any failing write) is said once and ends the command with EX_IOERR;
    /// Foundation's FileHandle trapped there with a stack trace.
    @Test("standard output on a full disk: one clear error and exit status 74, in every format", arguments: ["json", "table", "csv"])
    func fullDisk(format: String) throws {
        let setup = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let compactctl = CommandRunner.executable("compactctl")
        let result = try CommandRunner.runProgram("/bin/sh", ["-c", "exec \"$0\" \"$@\" > /dev/full", compactctl, "agenda", "--days", "60", "-o", format, "--config", setup.config], environment: setup.environment)
        #expect(result.status == 74, "\(result.stderr)")
        #expect(result.stderr == "compactctl: writing standard output failed: No space left on device\n", "\(result.stderr)")
    }
}
