/// A wall-clock date and time with no zone attached.
public struct LocalDateTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var date: LocalDate
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var microsecond: Int

    public init(date: LocalDate, hour: Int = 0, minute: Int = 0, second: Int = 0, microsecond: Int = 0) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.microsecond = microsecond
    }

    /// The wall-clock reading `utcSeconds` shows at UTC offset zero.
    public init(utcSeconds: Int64, microsecond: Int = 0) {
        let days = CivilCalendar.floorDivide(utcSeconds, 86_400)
        let secondOfDay = Int(utcSeconds - days * 86_400)
        self.init(
            date: LocalDate(daysSinceEpoch: days),
            hour: secondOfDay / 3600,
            minute: (secondOfDay / 60) % 60,
            second: secondOfDay % 60,
            microsecond: microsecond
        )
    }

    /// Seconds since the epoch if this wall-clock reading were UTC.
    public var secondsAsIfUTC: Int64 {
        date.daysSinceEpoch * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool {
        let l = lhs.secondsAsIfUTC, r = rhs.secondsAsIfUTC
        return l != r ? l < r : lhs.microsecond < rhs.microsecond
    }

    /// `YYYY-MM-DD HH:MM:SS`
    public var description: String {
        "\(date) \(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
    }

    /// RFC 3339 with the given UTC offset (`Z` for zero).
    public func rfc3339(offsetSeconds: Int) -> String {
        // Written in place for the times in use: every log event, payload and stored attempt
        // carries a few, and the padded strings joined were a few percent of a delivery.
        if (0...9999).contains(date.year), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
           (0..<1_000_000).contains(microsecond), abs(offsetSeconds) < 100 * 3600 {
            return String(unsafeUninitializedCapacity: 33) { text in
                var at = 0
                func digits(_ value: Int, _ width: Int) {
                    var value = value
                    for i in stride(from: at + width - 1, through: at, by: -1) {
                        text[i] = UInt8(ascii: "0") + UInt8(value % 10)
                        value /= 10
                    }
                    at += width
                }
                func byte(_ ascii: Unicode.Scalar) {
                    text[at] = UInt8(ascii: ascii)
                    at += 1
                }
                digits(date.year, 4); byte("-"); digits(date.month, 2); byte("-"); digits(date.day, 2)
                byte("T"); digits(hour, 2); byte(":"); digits(minute, 2); byte(":"); digits(second, 2)
                if microsecond != 0 {
                    var fraction = microsecond, width = 6
                    while fraction % 10 == 0 { fraction /= 10; width -= 1 }
                    byte("."); digits(fraction, width)
                }
                if offsetSeconds == 0 {
                    byte("Z")
                } else {
                    let magnitude = abs(offsetSeconds)
                    byte(offsetSeconds < 0 ? "-" : "+"); digits(magnitude / 3600, 2); byte(":"); digits((magnitude / 60) % 60, 2)
                }
                return at
            }
        }
        var text = "\(date)T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
        if microsecond != 0 {
            var fraction = pad(microsecond, 6)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        if offsetSeconds == 0 { return text + "Z" }
        let sign = offsetSeconds < 0 ? "-" : "+"
        let magnitude = abs(offsetSeconds)
        return text + "\(sign)\(pad(magnitude / 3600, 2)):\(pad((magnitude / 60) % 60, 2))"
    }
}
