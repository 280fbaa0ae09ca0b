import CompactdCore
import Testing

@Suite("systemd time spans as calendar offsets")
struct TimeSpanTests {
    @Test("parsing and the canonical form", arguments: [
        ("30d", "30d"), ("1w 2d", "9d"), ("1w2d", "9d"), ("2h 30min", "2h30min"), ("90s", "1min30s"), ("90", "1min30s"),
        ("0", "0"), ("+14d", "14d"), ("1M", "1M"), ("1y", "12M"), ("2 months", "2M"), ("1.5h", "1h30min"),
        ("36h", "1d12h"), ("500ms", "500ms"), ("1week", "7d"), ("3 days", "3d"),
    ])
    func parse(text: String, canonical: String) throws {
        let span = try #require(TimeSpan(parsing: text))
        #expect(span.description == canonical)
    }

    @Test("rejects what systemd would not accept as a span", arguments: ["", "d", "fortnight", "1.5M", "-3d", "3 parsecs", "1..2d", ".5d"])
    func rejects(text: String) {
        #expect(TimeSpan(parsing: text) == nil)
    }

    @Test("calendar arithmetic: days keep the wall clock, months clamp to the month's end")
    func arithmetic() {
        let jan31 = LocalDateTime(date: LocalDate(year: 2024, month: 1, day: 31), hour: 9)
        #expect(TimeSpan(months: 1).added(to: jan31).description == "2024-02-29 09:00:00")
        #expect(TimeSpan(months: 13).added(to: jan31).description == "2025-02-28 09:00:00")
        #expect(TimeSpan(days: 30).subtracted(from: jan31).description == "2024-01-01 09:00:00")
        #expect(TimeSpan(parsing: "2h30min")!.subtracted(from: jan31).description == "2024-01-31 06:30:00")
        #expect(TimeSpan(parsing: "20h")!.added(to: jan31).description == "2024-02-01 05:00:00")
        #expect(TimeSpan(days: 7).multiplied(by: 3) == TimeSpan(days: 21))
    }
}
