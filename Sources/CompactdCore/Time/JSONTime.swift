/// How a moment is written in compactctl's JSON and the report model, the same in every command: RFC 3339 with the
/// configured zone's offset in the field itself (`"due": "2027-05-14T09:00:00-07:00"`), and the
/// same moment in UTC in a `_utc` field beside it (`"due_utc": "2027-05-14T16:00:00Z"`).
/// Text output shows the short local form, derived from the same field.
public enum JSONTime {
    public static func local(_ instant: Instant, _ zone: ZoneInfo) -> String { TimestampFormat.rfc3339(instant, in: zone) }

    public static func utc(_ instant: Instant) -> String { instant.rfc3339UTC }

    /// The short form for text (`2027-05-14 09:00 PDT`) of a field written by `local`.
    public static func display(_ rfc3339: String?, _ zone: ZoneInfo) -> String? {
        rfc3339.flatMap { instant(written: $0) ?? TimestampFormat.parse($0, zone: zone) }.map { TimestampFormat.short($0, in: zone) }
    }

    /// The moment of a field as `local` and `utc` write it (`2027-05-14T09:00:00-07:00`, a
    /// fraction of up to six digits after the seconds, `Z` for offset zero), read by position;
    /// nil for any other text, which `TimestampFormat.parse` reads. The report's text shows
    /// every time it holds this way, and `parse`, which reads whatever an operator may type,
    /// was a quarter of `report -o csv`.
    static func instant(written text: String) -> Instant? {
        var text = text
        return text.withUTF8 { b -> Instant? in
            guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":") else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var value = 0
                for i in range {
                    let digit = b[i] &- UInt8(ascii: "0")
                    guard digit < 10 else { return nil }
                    value = value * 10 + Int(digit)
                }
                return value
            }
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
                  let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
                  (1...12).contains(month), hour < 24, minute < 60, second < 60 else { return nil }
            var at = 19
            var microsecond = 0
            if b[at] == UInt8(ascii: ".") {
                let start = at + 1
                at = start
                while at < b.count, b[at] &- UInt8(ascii: "0") < 10 { at += 1 }
                guard (1...6).contains(at - start), let fraction = number(start..<at) else { return nil }
                microsecond = fraction
                for _ in (at - start)..<6 { microsecond *= 10 }
            }
            var offset = 0
            if at + 1 == b.count, b[at] == UInt8(ascii: "Z") {
                offset = 0
            } else if at + 6 == b.count, b[at] == UInt8(ascii: "+") || b[at] == UInt8(ascii: "-"), b[at + 3] == UInt8(ascii: ":"),
                      let hours = number(at + 1..<at + 3), let minutes = number(at + 4..<at + 6), minutes < 60 {
                offset = (hours * 3600 + minutes * 60) * (b[at] == UInt8(ascii: "-") ? -1 : 1)
            } else {
                return nil
            }
            let date = LocalDate(year: year, month: month, day: day)
            // A day the month does not have (the 31st of April) is left to `parse`.
            guard LocalDate(daysSinceEpoch: date.daysSinceEpoch) == date else { return nil }
            let local = LocalDateTime(date: date, hour: hour, minute: minute, second: second)
            return Instant(secondsSinceEpoch: local.secondsAsIfUTC - Int64(offset), microseconds: Int64(microsecond))
        }
    }
}
