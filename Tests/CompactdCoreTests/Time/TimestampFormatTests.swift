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
        (" \t2024-03-11 09:30\t ", "2024-03-11T16:30:00Z"),
        ("2024-03-11 09:30 Europe/Berlin  ", "2024-03-11T08:30:00Z"),
    ])
    func parse(text: String, utc: String) throws {
        let instant = try #require(TimestampFormat.parse(text, zone: Self.la))
        #expect(instant.rfc3339UTC == utc)
    }

    @Test("rejects nonsense", arguments: ["tomorrow", "2024-02-30 09:00", "2024-03-11 25:00", "2024-03-11 09:30 Mars/Olympus", " \t ", ""])
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

    /// The report's text shows each time it holds as RFC 3339 (`JSONTime.local`, `utc`) in the
    /// short form, read back by position rather than by the operator's parser: for 20,000
    /// instants from 1970 to 2400, with and without microseconds, in zones west, east, a half
    /// hour and three quarters off, around the daylight-saving changes, the short form shown
    /// is the instant's own (`TimestampFormat.short`); text of any other shape (spaces, a zone
    /// name, no seconds, a day the month lacks) is read as the operator's parser reads it.
    @Test("the short form of a report's time is the instant's", arguments: ["UTC", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Chatham"])
    func displayOfWrittenTimes(identifier: String) throws {
        let zone = try ZoneInfo.named(identifier)
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in 0..<20_000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Every fourth near a change of offset in Los Angeles (2024-03-10, 2024-11-03 at 10:00 UTC).
            let seconds = i % 4 == 1 ? 1_710_064_800 + Int64((seed >> 20) % 7200) - 3600 : i % 4 == 3 ? 1_730_628_000 + Int64((seed >> 20) % 7200) - 3600
                : Int64((seed >> 11) % 13_569_465_600)
            let instant = Instant(secondsSinceEpoch: seconds, microseconds: i % 2 == 0 ? 0 : Int64((seed >> 7) % 1_000_000))
            let expected = TimestampFormat.short(instant, in: zone)
            for written in [JSONTime.local(instant, zone), JSONTime.utc(instant)] where JSONTime.display(written, zone) != expected {
                Issue.record("\(written): \(JSONTime.display(written, zone) ?? "nil"), expected \(expected)")
                return
            }
        }
        for text in [" 2024-03-11T09:30:00-07:00", "2024-03-11 09:30", "2024-03-11T09:30:00 Europe/Berlin", "2024-04-31T09:30:00-07:00", "2024-03-11T09:30-07:00",
                     "2024-03-11T09:30:00.1234567Z", "2024-03-11T24:00:00Z", "2024-03-11T09:30:00+05:3O", "@1614265330"] {
            #expect(JSONTime.display(text, zone) == TimestampFormat.parse(text, zone: zone).map { TimestampFormat.short($0, in: zone) }, "\(text)")
        }
    }
}
