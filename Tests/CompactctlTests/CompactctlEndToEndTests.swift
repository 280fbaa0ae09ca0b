import Foundation
import Testing

/// The built `compactctl` binary, run as an operator runs it: its output and exit status.
@Suite("compactctl end to end")
struct CompactctlEndToEndTests {
    static let shippedConfig = CommandRunner.packageRoot.appendingPathComponent("Config/compactd.toml").path

    @Test("check on the shipped configuration succeeds with a summary")
    func checkShipped() throws {
        let result = try CommandRunner.run("compactctl", ["check", "--config", Self.shippedConfig])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Configuration OK: \(Self.shippedConfig) and 9 compact files."))
        #expect(result.stdout.contains("9 compacts (9 active), 9 review cycles, 27 steps"))
        #expect(result.stdout.contains("1 enabled: district-log"))
        #expect(result.stdout.contains("Goal strategic-plan-2026: 9 of 12 active compacts by 2026-06-30"))
        #expect(result.stdout.contains("Next notice: "))
        #expect(result.stderr.isEmpty)
    }

    @Test("check reports every problem as FILE:LINE:COLUMN: KEY and exits 1")
    func checkBroken() throws {
        // Sound templates (the shipped ones): this test is about the configuration's problems
        // (check reports the templates' beside them; CheckOutputTests has both).
        let directory = try CommandRunner.configFolder("compactctl-check")
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
        time_zone = "America/Los_Angeles"
        [channels.log]
        type = "log"
        colour = "blue"
        """.write(to: directory.appendingPathComponent("compactd.toml"), atomically: true, encoding: .utf8)
        try """
        id = "bell"
        partner = "City of Bell"
        status = "active"
        notify = ["log"]

        [[cycles]]
        id = "summer"
        title = "Summer"
        calendar = "*-05-01 25:00"

        [[cycles.steps]]
        id = "kickoff"
        title = "Kickoff"
        """.write(to: directory.appendingPathComponent("compacts/bell.toml"), atomically: true, encoding: .utf8)
        let main = directory.appendingPathComponent("compactd.toml").path
        let result = try CommandRunner.run("compactctl", ["check"], environment: ["COMPACTD_CONFIG": main])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(result.stderr)")
        #expect(lines.first == "\(main):4:1: channels.log.colour: unknown key; expected one of type, enabled")
        #expect(lines.contains { $0.hasPrefix("\(directory.path)/compacts/bell.toml:9:1: cycles[0].calendar: '*-05-01 25:00' is not a valid calendar expression") })
        #expect(lines.last == "Error: \(main): 2 errors in the configuration and templates")
        #expect(result.stdout.isEmpty)
    }

    @Test("calendar prints what systemd-analyze calendar prints")
    func calendarMatchesSystemdAnalyze() throws {
        let expressions = ["*-05-01 09:00", "Mon *-01-15..21", "quarterly", "*-*-* 01:30 America/Los_Angeles", "Mon..Fri 08..17:00/30"]
        for timeZone in ["UTC", "America/Los_Angeles"] {
            let arguments = ["calendar", "--base-time=2024-11-03 08:00:00 UTC", "--iterations=4"] + expressions
            let ours = try CommandRunner.run("compactctl", arguments, environment: ["TZ": timeZone])
            let systemd = try CommandRunner.run("/usr/bin/systemd-analyze", arguments, environment: ["TZ": timeZone])
            let reference = systemd.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("From now") }.joined(separator: "\n")
            #expect(ours.status == 0)
            #expect(ours.stdout == reference, "TZ=\(timeZone)")
        }
    }

    @Test("calendar --config evaluates in the configured zone, as systemd-analyze does with that TZ")
    func calendarInConfiguredZone() throws {
        let arguments = ["--base-time=2024-11-03 08:00:00 UTC", "--iterations=3", "*-05-01 09:00", "*-*-* 01:30"]
        // The machine says UTC; the shipped configuration says America/Los_Angeles.
        let ours = try CommandRunner.run("compactctl", ["calendar", "--config", Self.shippedConfig] + arguments, environment: ["TZ": "UTC"])
        let systemd = try CommandRunner.run("/usr/bin/systemd-analyze", ["calendar"] + arguments, environment: ["TZ": "America/Los_Angeles"])
        let reference = systemd.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("From now") }.joined(separator: "\n")
        #expect(ours.status == 0, "\(ours.stderr)")
        #expect(ours.stdout == reference)
    }

    @Test("calendar --json, and exit 1 when an expression is invalid")
    func calendarJSON() throws {
        let result = try CommandRunner.run("compactctl", ["calendar", "--output", "json", "--base-time", "2024-03-10 00:00:00 UTC", "--iterations", "2", "*-03-11 09:30", "*-02-30", "bogus"], environment: ["TZ": "UTC"])
        #expect(result.status == 1)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 3)
        #expect(entries[0]["original"] as? String == "*-03-11 09:30")
        #expect(entries[0]["normalized"] as? String == "*-03-11 09:30:00")
        #expect(entries[0]["next"] as? [String] == ["2024-03-11T09:30:00Z", "2025-03-11T09:30:00Z"])
        #expect(entries[1]["next"] as? [String] == [])
        #expect(entries[2]["error"] as? String != nil)
        #expect(entries[2]["next"] == nil)
    }

    @Test("agenda lists notices in time order, as a table and as JSON")
    func agenda() throws {
        let table = try CommandRunner.run("compactctl", ["agenda", "--config", Self.shippedConfig, "--from", "2027-05-13", "--days", "2", "--compact", "carson"])
        #expect(table.status == 0, "\(table.stderr)")
        let rows = table.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first?.hasPrefix("LOCAL TIME") == true)
        #expect(rows.contains("2027-05-13 09:00 PDT  2027-05-13 16:00 UTC  carson/summer-reengagement/2027-05-01/kickoff                1d before   district-log"), "\(rows)")
        #expect(rows.last == "3 notices in 2 days.")

        let json = try CommandRunner.run("compactctl", ["agenda", "--from", "2027-05-14 00:00", "--days", "1", "--output", "json"], environment: ["COMPACTD_CONFIG": Self.shippedConfig])
        #expect(json.status == 0)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        // Nine compacts: each kickoff's due notice and each implementation review's 30-day reminder.
        #expect(entries.count == 18)
        // Every JSON time: RFC 3339 with the configured zone's offset, and the same moment in UTC beside it.
        #expect(entries.allSatisfy { $0["send_at"] as? String == "2027-05-14T09:00:00-07:00" && $0["send_at_utc"] as? String == "2027-05-14T16:00:00Z" }, "\(entries.first ?? [:])")
        #expect(entries.first?["id"] as? String == "bell/summer-reengagement/2027-05-01/kickoff/remind-0/district-log")
        #expect(entries.first?["step_key"] as? String == "bell/summer-reengagement/2027-05-01/kickoff")
    }

    @Test("an unknown compact among many: the first twenty known listed and how many more, not all of them")
    func unknownCompactAmongMany() throws {
        let directory = try CommandRunner.configFolder("compactctl-many")
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
        time_zone = "UTC"
        state_path = "state.sqlite"
        [channels.log]
        type = "log"
        """.write(to: directory.appendingPathComponent("compactd.toml"), atomically: true, encoding: .utf8)
        for n in 0..<45 {
            try """
            id = "city-\(n)"
            partner = "City \(n)"
            status = "active"
            notify = ["log"]
            """.write(to: directory.appendingPathComponent("compacts/city-\(n).toml"), atomically: true, encoding: .utf8)
        }
        let config = directory.appendingPathComponent("compactd.toml").path
        for command in [["agenda", "--compact", "city-077"], ["export", "ics", "--compact", "city-077"]] {
            let result = try CommandRunner.run("compactctl", command + ["--config", config])
            #expect(result.status != 0)
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(result.stderr)")
            let known = try #require(lines.first?.components(separatedBy: "known: ").last)
            // Files are read in name order: city-0, city-1, city-10, city-11, ...
            let expected = (0..<45).map { "city-\($0)" }.sorted().prefix(20)
            #expect(known == expected.joined(separator: ", ") + ", and 25 more", "\(result.stderr)")
        }
    }

    @Test("bad input to agenda: one line, non-zero exit", arguments: [
        (["agenda", "--compact", "springfield"], "unknown compact 'springfield'"),
        (["agenda", "--compact", "carsn"], "unknown compact 'carsn'; did you mean 'carson'?"),
        (["agenda", "--from", "next tuesday"], "--from 'next tuesday' is not a time"),
        (["agenda", "--days", "0"], "--days must be between 1 and 36600"),
    ])
    func agendaBadInput(arguments: [String], message: String) throws {
        let result = try CommandRunner.run("compactctl", arguments + ["--config", Self.shippedConfig])
        #expect(result.status != 0)
        #expect(result.stderr.contains(message))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
