import CompactdCore
import Foundation
import Testing

/// Spans and timestamps checked against systemd's own reading of them (`systemd-analyze
/// timespan` and `timestamp`), not against hand-written answers.
@Suite("time spans and timestamps against systemd-analyze")
struct SystemdTimeOracleTests {
    /// Runs `systemd-analyze VERB ARG` with TZ set; returns the value after `label:`.
    static func systemd(_ verb: String, _ argument: String, label: String, timeZone: String = "UTC") throws -> String? {
        guard let output = try SystemdAnalyzeOracle.run([verb, "--", argument], timeZone: timeZone) else { return nil }
        for line in output.split(separator: "\n") {
            let trimmed = line.trimmingWhitespace()
            if trimmed.hasPrefix(label + ":") { return String(trimmed.dropFirst(label.count + 1)).trimmingWhitespace() }
        }
        return nil
    }

    // Spans without months or years: systemd counts those as 30.44 and 365.25 days, compactd as
    // calendar months (documented), so only the fixed-length units are compared.
    @Test("a span's length in microseconds is systemd's", arguments: [
        "30d", "1w 2d", "1w2d", "2h 30min", "90s", "90", "0", "1.5h", "36h", "500ms", "1week", "3 days", "7d 12h 5min 3s", "2.25d", "15min", "1h30m",
    ])
    func spanLength(text: String) throws {
        let systemd = try #require(try Self.systemd("timespan", text, label: "μs"), "systemd-analyze refused '\(text)'")
        let span = try #require(TimeSpan(parsing: text), "compactd refused '\(text)'")
        #expect(span.months == 0)
        #expect("\(Int64(span.days) * 86_400_000_000 + span.microseconds)" == systemd)
    }

    @Test("what systemd refuses as a span, compactd refuses too", arguments: ["", "d", "fortnight", "-3d", "3 parsecs", "1..2d"])
    func spanRefused(text: String) throws {
        #expect(try Self.systemd("timespan", text, label: "μs") == nil)
        #expect(TimeSpan(parsing: text) == nil)
    }

    @Test("a timestamp read in the configured zone is the instant systemd reads", arguments: [
        ("2024-03-11 09:30", "America/Los_Angeles"), ("2024-03-10 03:30", "America/Los_Angeles"), ("2024-11-03 08:30:00 UTC", "America/Los_Angeles"),
        ("2024-11-03 01:30", "UTC"), ("2026-06-30", "America/Los_Angeles"), ("@1614265330", "America/Los_Angeles"), ("2027-05-01 09:00:00", "Europe/Berlin"),
    ])
    func timestamp(text: String, zone: String) throws {
        let systemd = try #require(try Self.systemd("timestamp", text, label: "UNIX seconds", timeZone: zone), "systemd-analyze refused '\(text)'")
        let instant = try #require(TimestampFormat.parse(text, zone: try ZoneInfo.named(zone)), "compactd refused '\(text)'")
        #expect("@\(instant.secondsSinceEpoch)" == systemd)
    }
}

/// Relative timestamps (`-7d`, `yesterday`, ...) read as systemd reads them, at the same moment.
@Suite("relative timestamps against systemd-analyze")
struct RelativeTimestampOracleTests {
    @Test("a relative timestamp is the instant systemd reads (same zone, within the second the two calls take)", arguments: [
        ("-7d", "America/Los_Angeles"), ("+2h", "UTC"), ("3h ago", "America/Los_Angeles"), ("1d 2h left", "Europe/Berlin"), ("now", "UTC"),
        ("today", "America/Los_Angeles"), ("yesterday", "America/Los_Angeles"), ("tomorrow", "Europe/Berlin"), ("-90min", "UTC"),
    ])
    func relative(text: String, zone: String) throws {
        let before = Instant.now
        let systemd = try #require(try SystemdTimeOracleTests.systemd("timestamp", text, label: "UNIX seconds", timeZone: zone), "systemd-analyze refused '\(text)'")
        // systemd prints fractions for relative times: "@1796052229.638411".
        let theirs = try #require(Double(systemd.dropFirst()).map { Int64($0.rounded(.down)) })
        let ours = try #require(TimestampFormat.parse(text, zone: try ZoneInfo.named(zone), now: before), "compactd refused '\(text)'")
        #expect(abs(ours.secondsSinceEpoch - theirs) <= 1, "compactd \(ours.rfc3339UTC), systemd @\(theirs)")
    }

    @Test("months and years are refused as relative times (systemd counts 30.44-day months; compactd will not guess)", arguments: ["-1M", "2y ago"])
    func monthsRefused(text: String) throws {
        #expect(TimestampFormat.parse(text, zone: .utc, now: Instant.now) == nil)
    }
}
