/// Proleptic Gregorian date arithmetic on plain integers.
///
/// The conversions are Howard Hinnant's `days_from_civil` / `civil_from_days`: exact for every
/// year an `Int` can hold, with no tables and no time zone.
public enum CivilCalendar {
    public static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q
    }

    public static func floorModulo(_ a: Int64, _ b: Int64) -> Int64 {
        a - floorDivide(a, b) * b
    }

    public static func floorDivide(_ a: Int, _ b: Int) -> Int {
        Int(floorDivide(Int64(a), Int64(b)))
    }

    public static func floorModulo(_ a: Int, _ b: Int) -> Int {
        Int(floorModulo(Int64(a), Int64(b)))
    }

    /// Days since 1970-01-01 for a year, month (1...12, may be out of range: it carries into
    /// the year) and day (any value: it carries into the month).
    public static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        let monthZeroBased = month - 1
        let y0 = Int64(year) + Int64(floorDivide(monthZeroBased, 12))
        let m = Int64(floorModulo(monthZeroBased, 12)) + 1
        let y = m <= 2 ? y0 - 1 : y0
        let era = floorDivide(y, 400)
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468 + Int64(day) - 1
    }

    /// The civil date of a day count since 1970-01-01.
    public static func date(daysSinceEpoch: Int64) -> (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = floorDivide(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (Int(y), Int(m), Int(d))
    }

    /// ISO weekday: 1 = Monday ... 7 = Sunday.
    public static func isoWeekday(daysSinceEpoch: Int64) -> Int {
        // 1970-01-01 was a Thursday (4).
        Int(floorModulo(daysSinceEpoch + 3, 7)) + 1
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
