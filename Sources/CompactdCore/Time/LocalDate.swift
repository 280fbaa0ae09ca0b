/// A calendar date with no time and no zone: an occurrence's date, a holiday, a deadline day.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public init(daysSinceEpoch: Int64) {
        let d = CivilCalendar.date(daysSinceEpoch: daysSinceEpoch)
        self.init(year: d.year, month: d.month, day: d.day)
    }

    /// Parses `YYYY-MM-DD`, rejecting impossible dates such as `2025-02-29`.
    public init?(parsing text: some StringProtocol) {
        // Ten ASCII bytes, digits but for the two dashes: read as bytes (a configuration with
        // thousands of deadlines parses thousands of these).
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        self.init(validatingYear: y, month: m, day: d)
    }

    /// A date from its parts when it exists (years 0 to 9999, as `YYYY-MM-DD` can write them).
    public init?(validatingYear year: Int, month: Int, day: Int) {
        guard (0...9999).contains(year), (1...12).contains(month), day >= 1,
              day <= CivilCalendar.daysInMonth(year: year, month: month) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public var daysSinceEpoch: Int64 { CivilCalendar.daysSinceEpoch(year: year, month: month, day: day) }

    /// ISO weekday: 1 = Monday ... 7 = Sunday.
    public var isoWeekday: Int { CivilCalendar.isoWeekday(daysSinceEpoch: daysSinceEpoch) }

    public func adding(days: Int) -> LocalDate { LocalDate(daysSinceEpoch: daysSinceEpoch + Int64(days)) }

    /// Adds calendar months, clamping the day to the target month's length (Jan 31 + 1 month is
    /// Feb 28 or 29), so a series anchored on one date never drifts.
    public func adding(months: Int) -> LocalDate {
        let total = year * 12 + (month - 1) + months
        let y = CivilCalendar.floorDivide(total, 12)
        let m = CivilCalendar.floorModulo(total, 12) + 1
        return LocalDate(year: y, month: m, day: min(day, CivilCalendar.daysInMonth(year: y, month: m)))
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public var description: String {
        // Digits written in place for the dates in use: every step key and notice id holds
        // one, and three padded strings joined cost ten times as much.
        guard (0...9999).contains(year), (1...12).contains(month), (1...31).contains(day) else {
            return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        }
        return String(unsafeUninitializedCapacity: 10) { text in
            let zero = UInt8(ascii: "0")
            text[0] = zero + UInt8(year / 1000)
            text[1] = zero + UInt8(year / 100 % 10)
            text[2] = zero + UInt8(year / 10 % 10)
            text[3] = zero + UInt8(year % 10)
            text[4] = UInt8(ascii: "-")
            text[5] = zero + UInt8(month / 10)
            text[6] = zero + UInt8(month % 10)
            text[7] = UInt8(ascii: "-")
            text[8] = zero + UInt8(day / 10)
            text[9] = zero + UInt8(day % 10)
            return 10
        }
    }
}

/// Zero-pads a non-negative number to `width` digits (negative numbers keep their sign).
@inline(__always)
func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value.magnitude)
    let padded = digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    return value < 0 ? "-" + padded : padded
}
