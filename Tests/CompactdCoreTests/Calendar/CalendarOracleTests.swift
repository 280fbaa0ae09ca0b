import CompactdTestSupport
import CompactdCore
import Testing

/// compactd's calendar engine against `systemd-analyze calendar`, field by field: validity,
/// normalized form, and every elapse.
@Suite("Calendar expressions agree with systemd-analyze")
struct CalendarOracleTests {
    /// Expressions from systemd.time(7), systemd's own test-calendarspec.c cases, and the
    /// ones compactd's shipped configuration uses.
    static let handCorpus: [String] = [
        "Sat,Thu,Mon..Wed,Sat..Sun", "Mon,Sun 12-*-* 2,1:23", "Wed *-1", "Wed..Wed,Wed *-1",
        "Wed, 17:48", "Wed..Sat,Tue 12-10-15 1:2:3", "*-*-7 0:0:0", "10-15", "monday *-12-* 17:00",
        "Mon,Fri *-*-3,1,2 *:30:45", "12,14,13,12:20,10,30", "12..14:10,20,30", "mon,fri *-1/2-1,3 *:30:45",
        "03-05 08:05:40", "08:05:40", "05:40", "Sat,Sun 12-05 08:05:40", "Sat,Sun 08:05:40",
        "2003-03-05 05:40", "05:40:23.4200004", "2003-03-05 05:40 UTC", "2003-03-05", "03-05", "hourly",
        "daily", "daily UTC", "monthly", "weekly", "minutely", "quarterly", "semiannually", "semi-annually",
        "annually", "yearly", "biannually", "bi-annually", "anually", "*:2/3", "2015-10-25 01:00:00 UTC",
        "*-*-* *:*:*", "*:*", "*-*-*", "*:*:1..5", "*-*~1", "*-*~05,3", "*-*~* 00:00:00", "Mon,Tue *-*-* 12:30",
        "*-*-1,15 10:00", "*-05-01 09:00", "*-06-01 09:00", "*-08-15 09:00", "*-01,04,07,10-15 10:00",
        "Mon *-01-15..21", "Mon *-02-15..21", "Mon *-05-25..31", "Mon *-09-01..07", "Thu *-11-22..28",
        "*-12-25", "*-07-04", "*-01-01", "Sat..Sun", "Mon..Fri 09:00", "Mon..Fri 08..17:00/30",
        "*-02-29 12:00", "*-02-30", "*-02-31", "*-04-31", "2024-02-29", "2025-02-29", "2100-02-29",
        "2199-12-31 23:59:59", "2200-01-01", "1969-12-31", "1970-01-01", "@0", "@1700000000", "@1614265330",
        "*-*-* 02:30", "*-*-* 01:30", "*-*-* 00:00/90", "*:0/15", "*:00/20:00", "*:*:0/15",
        "*:*:0.5", "*:*:1.25", "*:*:0.000001", "*:*:59.999999", "*:*:0/0.5", "*:*:1..3/0.5", "*:*:00..10/2",
        "0..23/6:00", "1,2,3:0", "*-1..12/3-1", "*-*-1..31/7", "*-*~1..3", "*-*~03/1", "*-*~7/2",
        "2024..2030-01-01", "2024..2030/2-01-01", "24-01-01", "99-01-01", "00-01-01", "70-01-01",
        "Sun 2024-*-* 03:00", "Fri *-*-13", "Fri *-*-13 13:13", "Wed..Mon", "Tue..Mon", "mon..tue",
        "Mon-Fri", "Mon-Fri 10:00", "Monday..Friday", "*-*-* 24:00", "*-*-* 23:60", "*-*-* 00:00:60",
        "*-*-* 12", "12:", ":12", "*-*-* *:*:*.5", "*/2:00", "00..23:00..59", "0:0:0", "00:00:00",
        "Mon *-*-* 00:00 America/Los_Angeles", "*-*-* 09:00 America/New_York", "*-*-* 02:30 Europe/Berlin",
        "*-*-* 09:00 Asia/Kolkata", "*-*-* 02:15 Australia/Lord_Howe", "*-*-* 00:00 America/Sao_Paulo",
        "*-*-* 09:00 Nowhere/City", "*-*-* 09:00 UTC", "daily America/Los_Angeles", "*-*-* 01:30 Etc/UTC",
        "", " ", "*", "**", "*-*", "Mon,", "Mon..", "..Mon", "foo", "2024-13-01", "2024-00-10", "2024-01-00",
        "1..0:00", "5..3:00", "*:0/0", "*-*-*/0", "*-*~0", "*-*~32", "*-*~28", "*-*~29", "*-*-* 1..3:0:0/0",
        "2024-01-01T09:00", "now", "today", "+5min", "1 2 3", "Mon  09:00", "Mon 09:00 ", "  Mon 09:00",
    ]

    static let bases: [String] = ["2024-01-01 00:00:00", "2024-11-03 08:45:00", "2025-06-15 12:34:56", "2029-12-31 23:59:59"]

    @Test("hand-written corpus in UTC and in America/Los_Angeles", arguments: ["UTC", "America/Los_Angeles"])
    func handCorpus(timeZone: String) throws {
        try #require(SystemdAnalyzeOracle.isAvailable, "systemd-analyze is the reference and must be installed")
        var compared = 0
        for expression in Self.handCorpus {
            for baseText in Self.bases {
                let base = try #require(TimestampFormat.parse(baseText + " UTC", zone: .utc))
                let expected = try SystemdAnalyzeOracle.answer(expression: expression, base: base, iterations: 5, timeZone: timeZone)
                let actual = try SystemdAnalyzeOracle.compactdAnswer(expression: expression, base: base, iterations: 5, timeZone: timeZone)
                #expect(actual == expected, "'\(expression)' after \(baseText) UTC in \(timeZone)")
                compared += 1
            }
        }
        #expect(compared == Self.handCorpus.count * Self.bases.count)
    }

    @Test("generated corpus, fixed seed", arguments: [UInt64(20_240_605), 87, 12])
    func generatedCorpus(seed: UInt64) throws {
        try #require(SystemdAnalyzeOracle.isAvailable, "systemd-analyze is the reference and must be installed")
        var generator = CalendarExpressionGenerator(seed: seed)
        var valid = 0
        for index in 0..<150 {
            let expression = generator.expression()
            let timeZone = index % 2 == 0 ? "UTC" : "America/Los_Angeles"
            let base = Instant(secondsSinceEpoch: 1_704_067_200 + Int64(index) * 1_234_567)
            let expected = try SystemdAnalyzeOracle.answer(expression: expression, base: base, iterations: 4, timeZone: timeZone)
            let actual = try SystemdAnalyzeOracle.compactdAnswer(expression: expression, base: base, iterations: 4, timeZone: timeZone)
            #expect(actual == expected, "'\(expression)' after \(base) in \(timeZone)")
            if expected.valid { valid += 1 }
        }
        // The generator must mostly produce valid expressions, or the comparison says little.
        #expect(valid > 75)
    }

    /// Every daylight-saving transition of America/Los_Angeles from 2024 through 2030, with
    /// base times just before, inside and after the skipped and repeated hours.
    @Test("every Los Angeles DST transition 2024-2030")
    func daylightSavingTransitions() throws {
        try #require(SystemdAnalyzeOracle.isAvailable, "systemd-analyze is the reference and must be installed")
        let zone = try ZoneInfo.named("America/Los_Angeles")
        var transitions: [Int64] = []
        var t = Instant(secondsSinceEpoch: 1_704_067_200).secondsSinceEpoch  // 2024-01-01
        let end = Instant(secondsSinceEpoch: 1_924_992_000).secondsSinceEpoch  // 2031-01-01
        var previous = zone.utcOffset(atUTCSeconds: t)
        while t < end {
            t += 900
            let offset = zone.utcOffset(atUTCSeconds: t)
            if offset != previous { transitions.append(t) }
            previous = offset
        }
        #expect(transitions.count == 14)
        let expressions = [
            "*-*-* 01:30", "*-*-* 02:30", "*-*-* 02:00", "*-*-* 03:00", "*-*-* 01:59:59", "*-*-* *:30",
            "*-*-* *:00/15", "*-*-* 01..03:*:00", "*-*-* 02:*:00", "hourly", "daily", "*-*-* 01:00,30",
            "*-*-* 09:00", "Sun *-*-* 01:30", "Sun *-03,11-* 02:30",
        ]
        let offsets: [Int64] = [-7200, -3600, -1800, -1, 0, 1, 900, 1800, 3600, 5400]
        for transition in transitions {
            for offset in offsets {
                let base = Instant(secondsSinceEpoch: transition + offset)
                for expression in expressions {
                    let expected = try SystemdAnalyzeOracle.answer(expression: expression, base: base, iterations: 3, timeZone: "America/Los_Angeles")
                    let actual = try SystemdAnalyzeOracle.compactdAnswer(expression: expression, base: base, iterations: 3, timeZone: "America/Los_Angeles")
                    #expect(actual == expected, "'\(expression)' after \(base)")
                }
            }
        }
    }
}
