/// Reading and writing timestamps the way systemd's tools print them.
public enum TimestampFormat {
    private static let weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// `Sun 2024-11-03 01:30:00 PDT`: systemd's format_timestamp in the given zone.
    public static func systemd(_ instant: Instant, in zone: ZoneInfo) -> String {
        let seconds = instant.secondsSinceEpoch
        let type = zone.localTimeType(atUTCSeconds: seconds)
        let local = LocalDateTime(utcSeconds: seconds + Int64(type.utcOffsetSeconds))
        return "\(weekdayNames[local.date.isoWeekday - 1]) \(local) \(type.abbreviation)"
    }

    /// `2024-11-03 01:30 PDT` for tables.
    public static func short(_ instant: Instant, in zone: ZoneInfo) -> String {
        let seconds = instant.secondsSinceEpoch
        let type = zone.localTimeType(atUTCSeconds: seconds)
        let local = LocalDateTime(utcSeconds: seconds + Int64(type.utcOffsetSeconds))
        return "\(local.date) \(pad(local.hour, 2)):\(pad(local.minute, 2)) \(type.abbreviation)"
    }

    /// RFC 3339 with the zone's offset at that instant.
    public static func rfc3339(_ instant: Instant, in zone: ZoneInfo) -> String {
        let seconds = instant.secondsSinceEpoch
        let offset = zone.utcOffset(atUTCSeconds: seconds)
        let local = LocalDateTime(utcSeconds: seconds + Int64(offset), microsecond: Int(instant.microsecondOfSecond))
        return local.rfc3339(offsetSeconds: offset)
    }

    /// Parses the timestamps operators type: `2024-03-11 09:30:00 UTC`, `2024-03-11 09:30`
    /// (in `zone`), `2024-03-11` (midnight), a trailing IANA zone name, RFC 3339
    /// (`2024-03-11T09:30:00Z`, `...-07:00`), or `@EPOCH`. Given `now`, also what systemd.time(7)
    /// accepts relative to it: `now`, `today`, `yesterday`, `tomorrow` (midnight in `zone`),
    /// `-7d`, `+2h`, `7d ago`, `2h left`.
    public static func parse(_ raw: String, zone: ZoneInfo, now: Instant? = nil) -> Instant? {
        let text = raw.trimmingSpaces
        if let now, let relative = relative(text, zone: zone, now: now) { return relative }
        if text.hasPrefix("@") {
            guard let seconds = Int64(text.dropFirst()) else { return nil }
            return Instant(secondsSinceEpoch: seconds)
        }
        var words = text.split(separator: " ").map(String.init)
        var readZone = zone
        if words.count >= 2, let last = words.last, last.first?.isLetter == true {
            if last.uppercased() == "UTC" || last == "Z" {
                readZone = .utc
            } else if let named = try? ZoneInfo.named(last) {
                readZone = named
            } else {
                return nil
            }
            words.removeLast()
        }
        var dateText: String
        var timeText: String
        switch words.count {
        case 1:
            let parts = words[0].split(separator: "T", maxSplits: 1).map(String.init)
            dateText = parts[0]
            timeText = parts.count == 2 ? parts[1] : "00:00:00"
        case 2:
            dateText = words[0]
            timeText = words[1]
        default:
            return nil
        }
        // An RFC 3339 offset or Z on the time.
        var explicitOffset: Int?
        if timeText.hasSuffix("Z") {
            timeText.removeLast()
            explicitOffset = 0
        } else if let signIndex = timeText.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let offsetText = timeText[timeText.index(after: signIndex)...].split(separator: ":")
            guard offsetText.count == 2, let h = Int(offsetText[0]), let m = Int(offsetText[1]) else { return nil }
            explicitOffset = (timeText[signIndex] == "-" ? -1 : 1) * (h * 3600 + m * 60)
            timeText = String(timeText[..<signIndex])
        }
        guard let date = LocalDate(parsing: dateText) else { return nil }
        let timeParts = timeText.split(separator: ":", omittingEmptySubsequences: false)
        guard timeParts.count == 2 || timeParts.count == 3,
              let hour = Int(timeParts[0]), let minute = Int(timeParts[1]),
              (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        var second = 0
        var micro = 0
        if timeParts.count == 3 {
            let secParts = timeParts[2].split(separator: ".", maxSplits: 1)
            guard let s = Int(secParts[0]), (0...59).contains(s) else { return nil }
            second = s
            if secParts.count == 2 {
                let digits = String(secParts[1].prefix(6))
                guard let f = Int(digits) else { return nil }
                micro = f * [1, 100_000, 10_000, 1000, 100, 10, 1][digits.count]
            }
        }
        let local = LocalDateTime(date: date, hour: hour, minute: minute, second: second, microsecond: micro)
        if let explicitOffset {
            return Instant(secondsSinceEpoch: local.secondsAsIfUTC - Int64(explicitOffset), microseconds: Int64(micro))
        }
        return readZone.instant(for: local)
    }

    /// systemd's relative timestamps; nil when `text` is none of them.
    static func relative(_ text: String, zone: ZoneInfo, now: Instant) -> Instant? {
        func midnight(_ days: Int) -> Instant {
            zone.instant(for: LocalDateTime(date: zone.localDateTime(at: now).date.adding(days: days), hour: 0))
        }
        switch text {
        case "now": return now
        case "today": return midnight(0)
        case "yesterday": return midnight(-1)
        case "tomorrow": return midnight(1)
        default: break
        }
        var spanText = text
        var sign: Int64 = 1
        if text.hasPrefix("-") {
            sign = -1
            spanText = String(text.dropFirst())
        } else if text.hasPrefix("+") {
            spanText = String(text.dropFirst())
        } else if text.hasSuffix(" ago") {
            sign = -1
            spanText = String(text.dropLast(4))
        } else if text.hasSuffix(" left") {
            spanText = String(text.dropLast(5))
        } else {
            return nil
        }
        // systemd counts months and years in fixed lengths (a month 30.44 days); compactd's are
        // calendar months, so a relative time with months or years is refused, not guessed.
        guard let span = TimeSpan(parsing: spanText.trimmingSpaces), span.months == 0 else { return nil }
        return now.adding(microseconds: sign * (Int64(span.days) * 86_400_000_000 + span.microseconds))
    }
}
