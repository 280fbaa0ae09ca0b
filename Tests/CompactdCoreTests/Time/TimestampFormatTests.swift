import CompactdCore
import Foundation
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

    /// 20,000 instants from 1970 to 2400 with and without microseconds, in UTC and in zones
    /// east and west (Kolkata's half hour), against Foundation's ISO 8601 formatter; the
    /// fraction is printf's six digits with trailing zeros dropped.
    @Test("RFC 3339 text agrees with Foundation's ISO 8601 formatter", arguments: ["UTC", "America/Los_Angeles", "Asia/Kolkata"])
    func rfc3339AgreesWithFoundation(identifier: String) throws {
        let zone = try ZoneInfo.named(identifier)
        let reference = ISO8601DateFormatter()
        reference.formatOptions = [.withInternetDateTime]
        reference.timeZone = try #require(TimeZone(identifier: identifier))
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        for i in 0..<20_000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let seconds = Int64((seed >> 11) % 13_569_465_600)  // before 2400-01-01
            let micros = i % 4 == 0 ? 0 : Int64((seed >> 7) % 1_000_000)
            let instant = Instant(secondsSinceEpoch: seconds, microseconds: micros)
            var expected = reference.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            if micros != 0 {
                var fraction = String(format: "%06d", micros)
                while fraction.hasSuffix("0") { fraction.removeLast() }
                let secondsEnd = expected.index(expected.startIndex, offsetBy: 19)
                expected.insert(contentsOf: "." + fraction, at: secondsEnd)
            }
            let ours = identifier == "UTC" ? instant.rfc3339UTC : TimestampFormat.rfc3339(instant, in: zone)
            if ours != expected {
                Issue.record("\(seconds).\(micros): \(ours), expected \(expected)")
                return
            }
        }
    }
}
