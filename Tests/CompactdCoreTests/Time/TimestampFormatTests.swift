import CompactdCore
import Testing

@Suite("Timestamps operators type and tools print")
struct TimestampFormatTests {
    static let la = try! ZoneInfo.named("America/Los_Angeles")

    @Test("parsing", arguments: [
        ("2024-03-11 09:30:00 UTC", "2024-03-11T09:30:00Z"),
        ("2024-03-11 09:30", "2024-03-11T16:30:00Z"),
        ("2024-03-11", "2024-03-11T07:00:00Z"),
        ("2024-03-11T09:30:00Z", "2024-03-11T09:30:00Z"),
        ("2024-03-11T09:30:00-07:00", "2024-03-11T16:30:00Z"),
        ("2024-03-11 09:30 Europe/Berlin", "2024-03-11T08:30:00Z"),
        ("@1614265330", "2021-02-25T15:02:10Z"),
    ])
    func parse(text: String, utc: String) throws {
        let instant = try #require(TimestampFormat.parse(text, zone: Self.la))
        #expect(instant.rfc3339UTC == utc)
    }

    @Test("rejects nonsense", arguments: ["tomorrow", "2024-02-30 09:00", "2024-03-11 25:00", "2024-03-11 09:30 Mars/Olympus"])
    func rejects(text: String) {
        #expect(TimestampFormat.parse(text, zone: Self.la) == nil)
    }

    @Test("systemd's format, with the zone's abbreviation")
    func systemdFormat() {
        let instant = TimestampFormat.parse("2024-11-03 08:30:00 UTC", zone: .utc)!
        #expect(TimestampFormat.systemd(instant, in: Self.la) == "Sun 2024-11-03 01:30:00 PDT")
        #expect(TimestampFormat.systemd(instant.adding(seconds: 3600), in: Self.la) == "Sun 2024-11-03 01:30:00 PST")
        #expect(TimestampFormat.rfc3339(instant, in: Self.la) == "2024-11-03T01:30:00-07:00")
    }
}
