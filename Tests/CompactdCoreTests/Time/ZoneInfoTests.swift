import CompactdCore
import Foundation
import Testing

@Suite("Time zones read from the tz database")
struct ZoneInfoTests {
    /// Foundation's TimeZone (ICU's copy of the tz database) as an independent reference.
    @Test("offsets agree with Foundation's TimeZone from 1970 to 2100", arguments: ["America/Los_Angeles", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo", "UTC"])
    func offsetsAgree(identifier: String) throws {
        let zone = try ZoneInfo.named(identifier)
        let reference = try #require(TimeZone(identifier: identifier))
        var t: Int64 = 0
        var checked = 0
        // Every 7 days 3 hours 17 minutes, which walks across every hour and weekday.
        while t < 4_102_444_800 {
            let expected = reference.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t)))
            #expect(zone.utcOffset(atUTCSeconds: t) == expected, "\(identifier) at \(Instant(secondsSinceEpoch: t))")
            t += 7 * 86_400 + 3 * 3600 + 17 * 60
            checked += 1
        }
        #expect(checked > 6000)
    }

    /// Every daylight-saving transition Foundation knows from 2010 to 2100, a second before
    /// and at it (northern and southern hemispheres, half-hour and 45-minute offsets, Dublin's
    /// winter "daylight" time): the sampled test above can step over a transition's edge.
    @Test("offsets agree with Foundation's TimeZone at every transition to 2100", arguments: [
        "America/Los_Angeles", "America/New_York", "Europe/Dublin", "Australia/Sydney", "Pacific/Auckland",
        "Australia/Lord_Howe", "Pacific/Chatham", "America/Santiago",
    ])
    func transitionsAgree(identifier: String) throws {
        let zone = try ZoneInfo.named(identifier)
        let reference = try #require(TimeZone(identifier: identifier))
        var date = Date(timeIntervalSince1970: 1_262_304_000)  // 2010-01-01
        var checked = 0
        while let next = reference.nextDaylightSavingTimeTransition(after: date), next.timeIntervalSince1970 < 4_102_444_800 {
            let t = Int64(next.timeIntervalSince1970)
            for s in [t - 1, t] {
                let expected = reference.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(s)))
                #expect(zone.utcOffset(atUTCSeconds: s) == expected, "\(identifier) at \(Instant(secondsSinceEpoch: s))")
            }
            date = next
            checked += 1
        }
        #expect(checked >= 2 * 89, "\(identifier): \(checked) transitions")
    }

    @Test("the skipped and repeated hours resolve as mktime does")
    func gapsAndOverlaps() throws {
        let la = try ZoneInfo.named("America/Los_Angeles")
        let gap = LocalDateTime(date: LocalDate(year: 2024, month: 3, day: 10), hour: 2, minute: 30)
        #expect(la.instant(for: gap).rfc3339UTC == "2024-03-10T10:30:00Z")  // 03:30 PDT
        let overlap = LocalDateTime(date: LocalDate(year: 2024, month: 11, day: 3), hour: 1, minute: 30)
        #expect(la.instant(for: overlap).rfc3339UTC == "2024-11-03T08:30:00Z")  // the first 01:30, PDT
        guard case .ambiguous(let earlier, _, let later, _) = la.resolve(wallSeconds: overlap.secondsAsIfUTC) else {
            Issue.record("01:30 on 2024-11-03 should be ambiguous")
            return
        }
        #expect(later - earlier == 3600)
        guard case .gap = la.resolve(wallSeconds: gap.secondsAsIfUTC) else {
            Issue.record("02:30 on 2024-03-10 should be in a gap")
            return
        }
    }

    @Test("the POSIX rule after the last explicit transition (2040, 2099)")
    func footerRule() throws {
        let la = try ZoneInfo.named("America/Los_Angeles")
        // Second Sunday of March 2040 is 03-11; first Sunday of November 2099 is 11-01.
        #expect(la.utcOffset(atUTCSeconds: TimestampFormat.parse("2040-03-11 09:59:59 UTC", zone: .utc)!.secondsSinceEpoch) == -8 * 3600)
        #expect(la.utcOffset(atUTCSeconds: TimestampFormat.parse("2040-03-11 10:00:00 UTC", zone: .utc)!.secondsSinceEpoch) == -7 * 3600)
        #expect(la.utcOffset(atUTCSeconds: TimestampFormat.parse("2099-11-01 08:59:59 UTC", zone: .utc)!.secondsSinceEpoch) == -7 * 3600)
        #expect(la.utcOffset(atUTCSeconds: TimestampFormat.parse("2099-11-01 09:00:00 UTC", zone: .utc)!.secondsSinceEpoch) == -8 * 3600)
        #expect(la.abbreviations.standard == "PST")
        #expect(la.abbreviations.daylight == "PDT")
    }

    @Test("unknown and malicious zone names are refused", arguments: ["America/Springfield", "../../etc/passwd", "/etc/localtime", "", "America//Los_Angeles x"])
    func refusesBadNames(name: String) {
        #expect(throws: ZoneInfoError.self) { try ZoneInfo.named(name) }
    }
}
